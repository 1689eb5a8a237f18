/**
 * HTTPS on both engines: with configured PEM files (the client verifies against that certificate)
 * and with a self-signed certificate generated at start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCertificate } from '../../src/http/tls.js';
import { ENGINES, startHttpServer, type HttpTestServer } from './helpers.js';

interface HttpsReply {
  status: number;
  body: string;
  subject: string | undefined;
}

function httpsRequest(port: number, method: string, urlPath: string, options: { ca?: string; body?: string }): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port, method, path: urlPath, servername: 'localhost', ca: options.ca, rejectUnauthorized: options.ca !== undefined, headers: options.body ? { 'content-type': 'application/json' } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        const name = (response.socket as TLSSocket).getPeerCertificate().subject?.CN;
        const subject = Array.isArray(name) ? name.join(',') : name;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), subject }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe.each(ENGINES)('HTTPS on the %s engine', (engine) => {
  let certificate: { cert: string; key: string };
  let directory: string;
  let withFiles: HttpTestServer;
  let selfSigned: HttpTestServer;

  beforeAll(async () => {
    certificate = await generateSelfSignedCertificate();
    directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-http-tls-test-'));
    writeFileSync(path.join(directory, 'cert.pem'), certificate.cert);
    writeFileSync(path.join(directory, 'key.pem'), certificate.key);
    withFiles = await startHttpServer(engine, { tls: { enabled: true, selfSigned: false, certFile: path.join(directory, 'cert.pem'), keyFile: path.join(directory, 'key.pem') } });
    selfSigned = await startHttpServer(engine, { tls: { enabled: true, selfSigned: true } });
  });

  afterAll(async () => {
    await withFiles?.stop();
    await selfSigned?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves the API over TLS with the configured certificate', async () => {
    const ping = await httpsRequest(withFiles.port, 'GET', '/ping', { ca: certificate.cert });
    expect([ping.status, ping.body, ping.subject]).toEqual([200, 'pong', 'localhost']);
    const login = await httpsRequest(withFiles.port, 'POST', '/users/login', { ca: certificate.cert, body: JSON.stringify({ username: 'iggy', password: 'iggy' }) });
    expect(login.status).toBe(200);
    expect(JSON.parse(login.body).user_id).toBe(0);
  });

  it('serves the API over TLS with a certificate generated at start', async () => {
    const ping = await httpsRequest(selfSigned.port, 'GET', '/ping', {});
    expect([ping.status, ping.body, ping.subject]).toEqual([200, 'pong', 'localhost']);
    await expect(httpsRequest(selfSigned.port, 'GET', '/ping', { ca: certificate.cert })).rejects.toThrow();
  });
});
