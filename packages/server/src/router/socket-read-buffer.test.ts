import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { SOCKET_READ_BUFFER_SIZE_BYTES, readIntoReusedBuffer } from './socket-read-buffer.js';

describe('readIntoReusedBuffer', () => {
  it('delivers every byte of an accepted socket through one reused buffer on this Node version', async () => {
    const received: Buffer[] = [];
    let reused: Buffer | undefined;
    const sent = Buffer.alloc(3 * SOCKET_READ_BUFFER_SIZE_BYTES + 123);
    for (let i = 0; i < sent.length; i += 1) sent[i] = (i * 7) & 0xff;
    const done = new Promise<void>((resolve) => {
      const server = net.createServer({ pauseOnConnect: true }, (socket) => {
        reused = readIntoReusedBuffer(socket, (bytes) => {
          expect(bytes.buffer).toBe(reused!.buffer);
          received.push(Buffer.from(bytes)); // the view is only valid during the call
        });
        socket.on('end', () => {
          socket.end();
          server.close();
          resolve();
        });
        socket.resume();
      });
      server.listen(0, '127.0.0.1', () => {
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => client.end(sent));
      });
    });
    await done;
    expect(reused).toBeDefined();
    expect(reused!.length).toBe(SOCKET_READ_BUFFER_SIZE_BYTES);
    expect(Buffer.concat(received).equals(sent)).toBe(true);
  });
});
