/**
 * From global options to a connected, logged-in IggyClient.
 *
 * Precedence, per setting: command line > environment (IGGY_ADDRESS, IGGY_USERNAME, IGGY_PASSWORD,
 * IGGY_TOKEN) > shell defaults (options given to `iggy shell`) > saved session > built-in default.
 * The session's token is used only when no credentials were given and the target address and
 * transport are the session's own.
 *
 * ClientPool keeps one client per connection setting: a one-shot command uses one and closes it;
 * the shell keeps them open between commands (and so keeps consumer-group memberships).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type tls from 'node:tls';
import * as sdk from '@iggy-ts/sdk';
import { type Credentials, IggyClient, parseAddress, type Transport } from '@iggy-ts/sdk';
import { UsageError } from './errors.js';
import type { Session } from './session.js';

/** Default server address (TCP); other transports default to their own port on 127.0.0.1. */
export const DEFAULT_ADDRESS = '127.0.0.1:8090';
export const TRANSPORTS = ['tcp', 'quic', 'http', 'ws'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** Default port of each transport, as Iggy's: TCP 8090, QUIC 8080, HTTP 3000, WebSocket 8092. */
export const DEFAULT_PORTS: Readonly<Record<TransportName, number>> = { tcp: 8090, quic: 8080, http: 3000, ws: 8092 };

/** The connection options every command accepts (undefined = not given). */
export interface GlobalOptions {
  readonly transport?: string | undefined;
  readonly address?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  readonly tls?: boolean | undefined;
  readonly tlsCa?: string | undefined;
  readonly tlsServerName?: string | undefined;
}

export interface TlsSettings {
  readonly enabled: boolean;
  readonly ca?: string;
  readonly serverName?: string;
}

export type CredentialsSource = 'arguments' | 'environment' | 'session' | 'none';

/** Where and how to connect, after precedence is applied. */
export interface ConnectionSettings {
  readonly transport: TransportName;
  /** `host:port`. */
  readonly address: string;
  readonly tls: TlsSettings | undefined;
  readonly credentials: Credentials | undefined;
  readonly credentialsSource: CredentialsSource;
  /** The saved session when its token is the one used. */
  readonly session: Session | undefined;
}

/** Normalised `host:port` (validated), so that "localhost:8090" and its session compare as typed. */
export function normaliseAddress(address: string): string {
  const { host, port } = parseAddress(address.trim());
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Applies the precedence rules; throws UsageError for contradictory or half-given credentials. */
export function resolveConnection(options: GlobalOptions, env: NodeJS.ProcessEnv, defaults: GlobalOptions, session: Session | undefined): ConnectionSettings {
  // Without an explicit address, the session decides where to go (and over which transport).
  const explicitAddress = given(options.address) ?? given(env['IGGY_ADDRESS']) ?? given(defaults.address);
  const transportName = given(options.transport) ?? given(defaults.transport) ?? (explicitAddress === undefined ? session?.transport : undefined) ?? 'tcp';
  if (!(TRANSPORTS as readonly string[]).includes(transportName)) throw new UsageError(`unknown transport '${transportName}' (use ${TRANSPORTS.join(', ')})`);
  const transport = transportName as TransportName;
  const sessionAddress = session !== undefined && session.transport === transport ? session.address : undefined;
  const rawAddress = explicitAddress ?? sessionAddress ?? `127.0.0.1:${DEFAULT_PORTS[transport]}`;
  let address: string;
  try {
    address = normaliseAddress(rawAddress);
  } catch {
    throw new UsageError(`invalid address '${rawAddress}': expected host:port`);
  }

  const explicitTls = options.tls === true || given(options.tlsCa) !== undefined || given(options.tlsServerName) !== undefined;
  const defaultTls = defaults.tls === true || given(defaults.tlsCa) !== undefined || given(defaults.tlsServerName) !== undefined;

  let credentials: Credentials | undefined;
  let credentialsSource: CredentialsSource = 'none';
  const token = given(options.token);
  const username = given(options.username);
  const password = given(options.password);
  if (token !== undefined && (username !== undefined || password !== undefined)) throw new UsageError('use either --token or --username/--password, not both');
  if (token !== undefined) {
    credentials = { token };
    credentialsSource = 'arguments';
  } else if (username !== undefined || password !== undefined) {
    const user = username ?? given(env['IGGY_USERNAME']);
    const secret = password ?? given(env['IGGY_PASSWORD']);
    if (user === undefined) throw new UsageError('--password needs --username (or IGGY_USERNAME)');
    if (secret === undefined) throw new UsageError('--username needs --password (or IGGY_PASSWORD)');
    credentials = { username: user, password: secret };
    credentialsSource = 'arguments';
  } else if (given(env['IGGY_TOKEN']) !== undefined) {
    credentials = { token: env['IGGY_TOKEN']! };
    credentialsSource = 'environment';
  } else if (given(env['IGGY_USERNAME']) !== undefined || given(env['IGGY_PASSWORD']) !== undefined) {
    if (given(env['IGGY_USERNAME']) === undefined) throw new UsageError('IGGY_PASSWORD is set but IGGY_USERNAME is not');
    if (given(env['IGGY_PASSWORD']) === undefined) throw new UsageError('IGGY_USERNAME is set but IGGY_PASSWORD is not');
    credentials = { username: env['IGGY_USERNAME']!, password: env['IGGY_PASSWORD']! };
    credentialsSource = 'environment';
  } else if (given(defaults.token) !== undefined) {
    credentials = { token: defaults.token! };
    credentialsSource = 'arguments';
  } else if (given(defaults.username) !== undefined && given(defaults.password) !== undefined) {
    credentials = { username: defaults.username!, password: defaults.password! };
    credentialsSource = 'arguments';
  }

  let usedSession: Session | undefined;
  if (credentials === undefined && session !== undefined && sessionMatches(session, address, transport)) {
    credentials = { token: session.token };
    credentialsSource = 'session';
    usedSession = session;
  }

  let tlsSettings: TlsSettings | undefined;
  const source = explicitTls ? options : defaultTls ? defaults : undefined;
  if (source !== undefined) {
    tlsSettings = {
      enabled: true,
      ...(given(source.tlsCa) === undefined ? {} : { ca: source.tlsCa! }),
      ...(given(source.tlsServerName) === undefined ? {} : { serverName: source.tlsServerName! }),
    };
  } else if (session?.tls?.enabled === true && sessionMatches(session, address, transport)) {
    tlsSettings = session.tls;
  }
  return { transport, address, tls: tlsSettings, credentials, credentialsSource, session: usedSession };
}

function sessionMatches(session: Session, address: string, transport: TransportName): boolean {
  try {
    return normaliseAddress(session.address) === address && session.transport === transport;
  } catch {
    return false;
  }
}

function tlsOptions(settings: TlsSettings | undefined): tls.ConnectionOptions | undefined {
  if (settings === undefined || !settings.enabled) return undefined;
  const options: tls.ConnectionOptions = {};
  if (settings.ca !== undefined) options.ca = readFileSync(settings.ca);
  if (settings.serverName !== undefined) options.servername = settings.serverName;
  return options;
}

/** Where one connection goes, for the transport factories. */
interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsSettings | undefined;
}

/** `host` as it goes into a URL (IPv6 in brackets). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** An export of the SDK by name, when this SDK version has it (QUIC, HTTP and WebSocket came later than TCP). */
function sdkExport(name: string): (new (options: never) => Transport) | undefined {
  const candidate = (sdk as Record<string, unknown>)[name];
  return typeof candidate === 'function' ? (candidate as new (options: never) => Transport) : undefined;
}

/** The `ws` package's WebSocket (Node 20 has no global one), with the CA of --tls-ca when given. */
function nodeWebSocket(tlsSettings: TlsSettings | undefined): ((url: string) => unknown) | undefined {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' && tlsSettings?.ca === undefined) return undefined;
  let WebSocket: new (url: string, options?: object) => unknown;
  try {
    WebSocket = createRequire(import.meta.url)('ws') as typeof WebSocket;
  } catch {
    throw new UsageError("--transport ws needs the 'ws' package on this Node version (npm install ws)");
  }
  const options = { ...(tlsSettings?.ca === undefined ? {} : { ca: readFileSync(tlsSettings.ca) }), ...(tlsSettings?.serverName === undefined ? {} : { servername: tlsSettings.serverName }) };
  return (url: string) => new WebSocket(url, options);
}

/**
 * Transports other than TCP, each built from the SDK's class when the SDK exports it (undefined
 * otherwise: the transport is "not available yet").
 */
const TRANSPORT_FACTORIES: Readonly<Record<Exclude<TransportName, 'tcp'>, (endpoint: Endpoint) => Transport | undefined>> = {
  http: ({ host, port, tls: tlsSettings }) => {
    const HttpTransport = sdkExport('HttpTransport');
    if (HttpTransport === undefined) return undefined;
    if (tlsSettings?.ca !== undefined || tlsSettings?.serverName !== undefined) {
      throw new UsageError('--tls-ca and --tls-server-name do not apply to --transport http: use --tls, and NODE_EXTRA_CA_CERTS=<file> for a private CA');
    }
    return new HttpTransport({ url: `${tlsSettings === undefined ? 'http' : 'https'}://${urlHost(host)}:${port}` } as never);
  },
  quic: ({ host, port, tls: tlsSettings }) => {
    const QuicTransport = sdkExport('QuicTransport');
    if (QuicTransport === undefined) return undefined;
    // QUIC always uses TLS; --tls-ca / --tls-server-name apply as for TCP.
    return new QuicTransport({
      host,
      port,
      ...(tlsSettings?.ca === undefined ? {} : { ca: readFileSync(tlsSettings.ca, 'utf8') }),
      ...(tlsSettings?.serverName === undefined ? {} : { serverName: tlsSettings.serverName }),
    } as never);
  },
  ws: ({ host, port, tls: tlsSettings }) => {
    const WebSocketTransport = sdkExport('WebSocketTransport');
    if (WebSocketTransport === undefined) return undefined;
    const createWebSocket = nodeWebSocket(tlsSettings);
    return new WebSocketTransport({ url: `${tlsSettings === undefined ? 'ws' : 'wss'}://${urlHost(host)}:${port}`, ...(createWebSocket === undefined ? {} : { createWebSocket }) } as never);
  },
};

/** True when the SDK can connect over `name`. */
export function transportAvailable(name: TransportName): boolean {
  return name === 'tcp' || sdkExport({ http: 'HttpTransport', quic: 'QuicTransport', ws: 'WebSocketTransport' }[name]) !== undefined;
}

/** A new (not yet connected) client for the settings. */
export function createClient(settings: ConnectionSettings, reconnectAttempts: number): IggyClient {
  const { host, port } = parseAddress(settings.address);
  const common = {
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    reconnect: { maxAttempts: reconnectAttempts, initialDelayMs: 100, maxDelayMs: 1000 },
    clientVersion: 'iggy-ts-cli',
  };
  if (settings.transport === 'tcp') {
    const tlsConfig = tlsOptions(settings.tls);
    return new IggyClient({ ...common, tcp: { host, port, ...(tlsConfig === undefined ? {} : { tls: tlsConfig }) } });
  }
  const transport = TRANSPORT_FACTORIES[settings.transport]({ host, port, tls: settings.tls });
  if (transport === undefined) throw new UsageError(`transport '${settings.transport}' is not available yet in the SDK: use --transport tcp`);
  return new IggyClient({ ...common, transport });
}

function settingsKey(settings: ConnectionSettings): string {
  return JSON.stringify([settings.transport, settings.address, settings.tls ?? null, settings.credentials ?? null]);
}

/** One connected client per connection setting; `closeAll` ends them. */
export class ClientPool {
  private readonly clients = new Map<string, Promise<IggyClient>>();

  constructor(private readonly reconnectAttempts: number) {}

  /** A connected (and, with credentials, logged-in) client for the settings. */
  get(settings: ConnectionSettings): Promise<IggyClient> {
    const key = settingsKey(settings);
    const existing = this.clients.get(key);
    if (existing !== undefined) return existing;
    const created = (async () => {
      const client = createClient(settings, this.reconnectAttempts);
      try {
        await client.connect();
      } catch (error) {
        await client.close().catch(() => undefined);
        throw error;
      }
      return client;
    })();
    this.clients.set(key, created);
    created.catch(() => this.clients.delete(key));
    return created;
  }

  /** Forgets and closes the client for the settings (after logout, or when its login went away). */
  async drop(settings: ConnectionSettings): Promise<void> {
    const key = settingsKey(settings);
    const existing = this.clients.get(key);
    this.clients.delete(key);
    if (existing !== undefined) await existing.then((client) => client.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((pending) => pending.then((client) => client.close()).catch(() => undefined)));
  }
}
