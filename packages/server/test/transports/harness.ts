/**
 * Servers and client transports for the transport tests. One CA signs the servers' certificate
 * (localhost, 127.0.0.1) and a client certificate, so TLS is verified for real everywhere:
 * - `plain`: TCP, WebSocket and QUIC (QUIC with the CA-signed certificate from files);
 * - `tls`: TCP over TLS; `mtls`: TCP over TLS requiring a client certificate signed by the CA.
 * Each server has one shard, silent logs and root iggy/iggy. The client side uses the SDK's
 * transports, so the suite tests both ends.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket as NodeWebSocket } from 'ws';
import { IggyServer, type ServerConfigOverrides } from '@iggy-ts/server';
import { generateCertificate, type CertificateKeyPair } from '../../src/transports/tls.js';
import type { Transport } from '@iggy-ts/sdk';
import { TcpTransport } from '@iggy-ts/sdk';
import { QuicTransport } from '@iggy-ts/sdk';
import { WebSocketTransport, type WebSocketLike } from '@iggy-ts/sdk';
import { HttpTransport } from '@iggy-ts/sdk';
import { removeDataPath, temporaryDataPath } from '../helpers/server.js';

/** Transport codes as GetMe reports them. */
export const TRANSPORT_CODE = { tcp: 1, quic: 2, http: 3, websocket: 4 } as const;

export interface Certificates {
  readonly ca: CertificateKeyPair;
  readonly server: CertificateKeyPair;
  readonly client: CertificateKeyPair;
  /** The same PEMs as files, for the config. */
  readonly files: { ca: string; serverCert: string; serverKey: string };
}

/** A CA, a server certificate for localhost/127.0.0.1/::1 and a client certificate, written under `directory`. */
export function makeCertificates(directory: string): Certificates {
  const ca = generateCertificate({ commonName: 'iggy-ts test CA', certificateAuthority: true });
  const server = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], issuer: ca });
  const client = generateCertificate({ commonName: 'iggy-ts test client', issuer: ca });
  const files = { ca: path.join(directory, 'ca.pem'), serverCert: path.join(directory, 'server-cert.pem'), serverKey: path.join(directory, 'server-key.pem') };
  writeFileSync(files.ca, ca.certPem);
  writeFileSync(files.serverCert, server.certPem);
  writeFileSync(files.serverKey, server.keyPem, { mode: 0o600 });
  return { ca, server, client, files };
}

export interface RunningServer {
  readonly server: IggyServer;
  readonly dataPath: string;
  stop(): Promise<void>;
}

/** Starts an in-process server with one shard on a fresh data directory; `overrides` merge over the base. */
export async function startServerWith(overrides: Record<string, unknown>): Promise<RunningServer> {
  const dataPath = temporaryDataPath('transport');
  const base = {
    system: { path: dataPath, shardCount: 1 },
    tcp: { address: '127.0.0.1:0' },
    root: { username: 'iggy', password: 'iggy' },
    logging: { level: 'silent' },
  };
  let server: IggyServer;
  try {
    server = await IggyServer.start({ overrides: deepMerge(base, overrides) as ServerConfigOverrides, env: {} });
  } catch (error) {
    removeDataPath(dataPath);
    throw error;
  }
  return {
    server,
    dataPath,
    async stop() {
      await server.stop();
      removeDataPath(dataPath);
    },
  };
}

/** A `ws` socket behind the standard-API interface the SDK WebSocket transport expects. */
export function nodeWebSocket(options: ConstructorParameters<typeof NodeWebSocket>[2] = {}): (url: string) => WebSocketLike {
  return (url) => new NodeWebSocket(url, options) as unknown as WebSocketLike;
}

export interface TransportCase {
  readonly name: string;
  readonly transportCode: number;
  create(): Transport;
}

export interface TransportServers {
  readonly cases: readonly TransportCase[];
  readonly certificates: Certificates;
  readonly plain: RunningServer;
  readonly tls: RunningServer;
  readonly mtls: RunningServer;
  stop(): Promise<void>;
}

/** The three servers and one client transport per case: tcp, tls, mtls, websocket, quic. */
export async function startTransportServers(directory: string): Promise<TransportServers> {
  const certificates = makeCertificates(directory);
  const { files } = certificates;
  const started: RunningServer[] = [];
  try {
    const plain = await startServerWith({
      websocket: { enabled: true, address: '127.0.0.1:0' },
      http: { enabled: true, address: '127.0.0.1:0' },
      quic: { enabled: true, address: '127.0.0.1:0', selfSigned: false, certFile: files.serverCert, keyFile: files.serverKey },
    });
    started.push(plain);
    const tlsConfig = { enabled: true, certFile: files.serverCert, keyFile: files.serverKey };
    const tls = await startServerWith({ tcp: { tls: tlsConfig } });
    started.push(tls);
    const mtls = await startServerWith({ tcp: { tls: { ...tlsConfig, caFile: files.ca, clientAuth: true } } });
    started.push(mtls);

    const port = (running: RunningServer, transport: 'tcp' | 'websocket' | 'quic' | 'http'): number => {
      const bound = running.server.addresses[transport]?.port;
      if (bound === undefined) throw new Error(`no ${transport} listener`);
      return bound;
    };
    const ca = certificates.ca.certPem;
    const cases: TransportCase[] = [
      { name: 'tcp', transportCode: TRANSPORT_CODE.tcp, create: () => new TcpTransport({ host: '127.0.0.1', port: port(plain, 'tcp') }) },
      {
        name: 'tls',
        transportCode: TRANSPORT_CODE.tcp,
        create: () => new TcpTransport({ host: '127.0.0.1', port: port(tls, 'tcp'), tls: { ca, servername: 'localhost' } }),
      },
      {
        name: 'mutual tls',
        transportCode: TRANSPORT_CODE.tcp,
        create: () =>
          new TcpTransport({ host: '127.0.0.1', port: port(mtls, 'tcp'), tls: { ca, servername: 'localhost', cert: certificates.client.certPem, key: certificates.client.keyPem } }),
      },
      {
        name: 'websocket',
        transportCode: TRANSPORT_CODE.websocket,
        create: () => new WebSocketTransport({ url: `ws://127.0.0.1:${port(plain, 'websocket')}`, createWebSocket: nodeWebSocket() }),
      },
      {
        name: 'http',
        transportCode: TRANSPORT_CODE.http,
        create: () => new HttpTransport({ url: `http://127.0.0.1:${port(plain, 'http')}` }),
      },
      {
        name: 'quic',
        transportCode: TRANSPORT_CODE.quic,
        create: () => new QuicTransport({ host: '127.0.0.1', port: port(plain, 'quic'), serverName: 'localhost', ca }),
      },
    ];
    return {
      cases,
      certificates,
      plain,
      tls,
      mtls,
      stop: async () => {
        await Promise.all(started.map((running) => running.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((running) => running.stop().catch(() => {})));
    throw error;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const previous = result[key];
    result[key] = isPlainObject(previous) && isPlainObject(value) ? deepMerge(previous, value) : value;
  }
  return result;
}
