/**
 * TLS on every transport that has it: what a server with TLS refuses (plaintext, an untrusted
 * server certificate, a missing or foreign client certificate under mutual TLS) and the generated
 * self-signed certificates of TCP, WebSocket (WSS) and QUIC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandCode, ErrorCode, IggyError, decodeGetMeResponse, encodeLoginUserRequest } from '@iggy-ts/protocol';
import { generateCertificate } from '../../src/transports/tls.js';
import type { Transport } from '@iggy-ts/sdk';
import { TcpTransport } from '@iggy-ts/sdk';
import { QuicTransport } from '@iggy-ts/sdk';
import { WebSocketTransport } from '@iggy-ts/sdk';
import { makeCertificates, nodeWebSocket, startServerWith, type Certificates, type RunningServer } from './harness.js';

let directory: string;
let certificates: Certificates;

beforeAll(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'iggy-ts-tls-'));
  certificates = makeCertificates(directory);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Connects, logs in as root and returns GetMe's transport code. */
async function loginAndGetTransport(transport: Transport): Promise<number> {
  await transport.connect();
  try {
    const login = await transport.request(CommandCode.LoginUser, encodeLoginUserRequest({ username: 'iggy', password: 'iggy' }));
    expect(login.status).toBe(0);
    const me = await transport.request(CommandCode.GetMe, Buffer.alloc(0));
    return decodeGetMeResponse(me.payload).transport;
  } finally {
    await transport.close();
  }
}

/** Resolves with the error a connect-then-ping attempt ends with (TLS 1.3 may reject only after connect). */
async function failureOf(transport: Transport): Promise<unknown> {
  try {
    await transport.connect();
    await transport.request(CommandCode.Ping, Buffer.alloc(0));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await transport.close().catch(() => {});
  }
}

describe('TCP over TLS with configured files', () => {
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    server = await startServerWith({ tcp: { tls: { enabled: true, certFile: certificates.files.serverCert, keyFile: certificates.files.serverKey } } });
    port = server.server.addresses.tcp!.port;
  });
  afterAll(() => server.stop());

  it('serves a client that trusts the CA', async () => {
    expect(await loginAndGetTransport(new TcpTransport({ host: '127.0.0.1', port, tls: { ca: certificates.ca.certPem, servername: 'localhost' } }))).toBe(1);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const error = await failureOf(new TcpTransport({ host: '127.0.0.1', port, tls: { servername: 'localhost' } }));
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(ErrorCode.CannotEstablishConnection);
  });

  it('does not answer a plaintext client', async () => {
    const error = await failureOf(new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 2000 }));
    expect(error).toBeInstanceOf(IggyError);
  });
});

describe('TCP over mutual TLS', () => {
  let server: RunningServer;
  let port: number;
  const tlsOptions = (): { ca: string; servername: string } => ({ ca: certificates.ca.certPem, servername: 'localhost' });
  beforeAll(async () => {
    const files = certificates.files;
    server = await startServerWith({ tcp: { tls: { enabled: true, certFile: files.serverCert, keyFile: files.serverKey, caFile: files.ca, clientAuth: true } } });
    port = server.server.addresses.tcp!.port;
  });
  afterAll(() => server.stop());

  it('serves a client whose certificate the CA signed', async () => {
    const transport = new TcpTransport({ host: '127.0.0.1', port, tls: { ...tlsOptions(), cert: certificates.client.certPem, key: certificates.client.keyPem } });
    expect(await loginAndGetTransport(transport)).toBe(1);
  });

  it('refuses a client without a certificate', async () => {
    expect(await failureOf(new TcpTransport({ host: '127.0.0.1', port, tls: tlsOptions() }))).toBeInstanceOf(IggyError);
  });

  it('refuses a client certificate signed by another CA', async () => {
    const otherAuthority = generateCertificate({ commonName: 'Other CA', certificateAuthority: true });
    const foreign = generateCertificate({ commonName: 'intruder', issuer: otherAuthority });
    const transport = new TcpTransport({ host: '127.0.0.1', port, tls: { ...tlsOptions(), cert: foreign.certPem, key: foreign.keyPem } });
    expect(await failureOf(transport)).toBeInstanceOf(IggyError);
  });
});

describe('self-signed certificates generated at start', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerWith({
      tcp: { tls: { enabled: true, selfSigned: true } },
      websocket: { enabled: true, address: '127.0.0.1:0', tls: { enabled: true, selfSigned: true } },
      quic: { enabled: true, address: '127.0.0.1:0', selfSigned: true },
    });
  });
  afterAll(() => server.stop());

  it('serves TCP over TLS to a client that skips verification, and only to it', async () => {
    const port = server.server.addresses.tcp!.port;
    expect(await loginAndGetTransport(new TcpTransport({ host: '127.0.0.1', port, tls: { rejectUnauthorized: false } }))).toBe(1);
    expect(await failureOf(new TcpTransport({ host: '127.0.0.1', port, tls: {} }))).toBeInstanceOf(IggyError);
  });

  it('serves WSS to a client that skips verification, and only to it', async () => {
    const url = `wss://127.0.0.1:${server.server.addresses.websocket!.port}`;
    expect(await loginAndGetTransport(new WebSocketTransport({ url, createWebSocket: nodeWebSocket({ rejectUnauthorized: false }) }))).toBe(4);
    expect(await failureOf(new WebSocketTransport({ url, createWebSocket: nodeWebSocket() }))).toBeInstanceOf(IggyError);
  });

  it('serves QUIC to a client that skips verification, and only to it', async () => {
    const port = server.server.addresses.quic!.port;
    expect(await loginAndGetTransport(new QuicTransport({ host: '127.0.0.1', port, verifyPeer: false }))).toBe(2);
    const error = await failureOf(new QuicTransport({ host: '127.0.0.1', port, serverName: 'localhost', connectTimeoutMs: 3000 }));
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(ErrorCode.CannotEstablishConnection);
  });
});

describe('WSS and QUIC with configured files', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const files = certificates.files;
    server = await startServerWith({
      websocket: { enabled: true, address: '127.0.0.1:0', tls: { enabled: true, certFile: files.serverCert, keyFile: files.serverKey } },
      quic: { enabled: true, address: '127.0.0.1:0', selfSigned: false, certFile: files.serverCert, keyFile: files.serverKey },
    });
  });
  afterAll(() => server.stop());

  it('verifies the WSS certificate against the CA', async () => {
    const url = `wss://localhost:${server.server.addresses.websocket!.port}`;
    expect(await loginAndGetTransport(new WebSocketTransport({ url, createWebSocket: nodeWebSocket({ ca: certificates.ca.certPem }) }))).toBe(4);
  });

  it('verifies the QUIC certificate against the CA and the server name', async () => {
    const port = server.server.addresses.quic!.port;
    expect(await loginAndGetTransport(new QuicTransport({ host: '127.0.0.1', port, serverName: 'localhost', ca: certificates.ca.certPem }))).toBe(2);
    const wrongName = await failureOf(new QuicTransport({ host: '127.0.0.1', port, serverName: 'not-this-server.test', ca: certificates.ca.certPem, connectTimeoutMs: 3000 }));
    expect(wrongName).toBeInstanceOf(IggyError);
  });
});

describe('configuration the transports refuse', () => {
  it('refuses websocket.tls.client_auth, which uWebSockets.js cannot enforce', async () => {
    const files = certificates.files;
    const start = startServerWith({
      websocket: { enabled: true, address: '127.0.0.1:0', tls: { enabled: true, certFile: files.serverCert, keyFile: files.serverKey, caFile: files.ca, clientAuth: true } },
    });
    await expect(start).rejects.toThrow(/websocket\.tls\.client_auth = true is not supported/);
  });

  it('fails the start with the file name when a TCP certificate cannot be read', async () => {
    const start = startServerWith({ tcp: { tls: { enabled: true, certFile: path.join(directory, 'nope.pem'), keyFile: certificates.files.serverKey } } });
    await expect(start).rejects.toThrow(/tcp\.tls\.cert_file: cannot read .*nope\.pem/);
  });
});
