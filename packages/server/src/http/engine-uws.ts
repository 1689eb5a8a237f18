/**
 * uWebSockets.js engine: one catch-all route hands every request to the shared pipeline, so both
 * engines serve the same route table. uWS rules followed here: the request object is valid only
 * during the handler (headers are copied out at once), `onAborted` is attached before any async work,
 * body chunks are copied (their ArrayBuffer is reused after the callback), and a late response is
 * written inside `cork` and skipped if the client went away.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpResponse, us_listen_socket } from 'uwebsockets';
import type { IncomingRequest, OutgoingResponse } from './app.js';
import type { EngineOptions, RunningEngine, UwsModule } from './engine.js';

export async function startUwsEngine(uws: UwsModule, options: EngineOptions): Promise<RunningEngine> {
  const app = options.tls === undefined ? uws.App() : uws.SSLApp({ cert_file_name: options.tls.certFile, key_file_name: options.tls.keyFile });

  app.any('/*', (res: HttpResponse, req) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    const query = req.getQuery() ?? '';
    const headers = new Map<string, string>();
    req.forEach((name, value) => {
      const previous = headers.get(name);
      headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
    });
    const header = (name: string): string | undefined => headers.get(name);
    const remoteAddress = `${Buffer.from(res.getRemoteAddressAsText()).toString()}:0`;

    const write = (reply: OutgoingResponse, closeConnection = false): void => {
      if (aborted) return;
      aborted = true;
      res.cork(() => {
        res.writeStatus(`${reply.status} ${STATUS_CODES[reply.status] ?? ''}`);
        for (const [name, value] of reply.headers) {
          if (name === 'connection') continue;
          res.writeHeader(name, value);
        }
        // 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6).
        if ((reply.status === 204 || reply.status === 304) && !closeConnection) res.endWithoutBody();
        else res.end(reply.body, closeConnection);
      });
    };

    if (Number(header('content-length') ?? 0) > options.requestSizeBytesMax) {
      write(options.payloadTooLarge({ method, path, header }), true);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    res.onData((chunk, isLast) => {
      if (aborted) return;
      received += chunk.byteLength;
      if (received > options.requestSizeBytesMax) {
        write(options.payloadTooLarge({ method, path, header }), true);
        return;
      }
      // The chunk's memory is reused once this callback returns: copy it.
      if (chunk.byteLength > 0) chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (!isLast) return;
      const request: IncomingRequest = { method, path, query, header, remoteAddress, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
      options.handle(request).then(
        (reply) => write(reply),
        (error: unknown) => {
          options.logger.error({ err: error }, 'http request failed');
          write({ status: 500, headers: [], body: Buffer.alloc(0) });
        },
      );
    });
  });

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(options.host, options.port, (token) => {
      if (token === false) reject(new Error(`cannot listen on ${options.host}:${options.port} (uWebSockets.js)`));
      else resolve(token);
    });
  });
  const port = uws.us_socket_local_port(listenSocket as unknown as Parameters<UwsModule['us_socket_local_port']>[0]);
  return {
    name: 'uws',
    port,
    stop: async () => {
      uws.us_listen_socket_close(listenSocket);
      app.close();
    },
  };
}
