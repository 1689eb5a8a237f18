/**
 * node:http / node:https engine. Reads the body up to `requestSizeBytesMax` (a larger Content-Length
 * is refused before a byte is buffered; a body that grows past it is cut off), hands the request to
 * the pipeline and writes the response in one `end()`.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingRequest, OutgoingResponse } from './app.js';
import type { EngineOptions, RunningEngine } from './engine.js';

function send(response: http.ServerResponse, reply: OutgoingResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.statusCode = reply.status;
  for (const [name, value] of reply.headers) {
    const previous = response.getHeader(name);
    response.setHeader(name, previous === undefined ? value : `${String(previous)}, ${value}`);
  }
  // 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6).
  if (reply.status === 204 || reply.status === 304) {
    response.end();
    return;
  }
  response.setHeader('content-length', reply.body.length);
  response.end(reply.body);
}

export async function startNodeEngine(options: EngineOptions): Promise<RunningEngine> {
  const sockets = new Set<Socket>();
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const method = (request.method ?? 'GET').toUpperCase();
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const tooLarge = (): void => {
      send(response, options.payloadTooLarge({ method, path, header }));
      // Drain what is still coming so the client reads the 413 instead of a reset, then close.
      request.resume();
    };
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > options.requestSizeBytesMax) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > options.requestSizeBytesMax) {
        refused = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const remote = request.socket;
      const incoming: IncomingRequest = {
        method,
        path,
        query,
        header,
        remoteAddress: `${(remote.remoteAddress ?? 'unknown').replace(/^::ffff:/, '')}:${remote.remotePort ?? 0}`,
        // One copy per request: bodies are small JSON documents (≤ requestSizeBytesMax).
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      };
      options.handle(incoming).then(
        (reply) => send(response, reply),
        (error: unknown) => {
          options.logger.error({ err: error }, 'http request failed');
          send(response, { status: 500, headers: [], body: Buffer.alloc(0) });
        },
      );
    });
    request.on('error', (error) => options.logger.debug({ err: error }, 'http request stream error'));
  };

  const server = options.tls === undefined ? http.createServer(onRequest) : https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (error, socket) => {
    options.logger.debug({ err: error }, 'http client error');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'http listener error'));
  const port = (server.address() as AddressInfo).port;
  return {
    name: 'node',
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
