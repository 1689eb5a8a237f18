// Shared parts of the message-envelope samples: command-line options (node:util parseArgs), the
// client, the stream/topic they use, and the envelope format.
//
// Envelope: a JSON payload { type, payload } and a `message_type` string user header holding the
// same type, so a consumer can route on the header without parsing the payload.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { HttpTransport, IggyClient, QuicTransport, WebSocketTransport, header } from '@iggy-ts/sdk';

/** Options every sample accepts. */
export const COMMON_OPTIONS = {
  address: { type: 'string', description: 'server address host:port (default 127.0.0.1 on the transport\'s port: tcp 8090, quic 8080, http 3000, ws 8092)' },
  transport: { type: 'string', default: 'tcp', description: 'transport: tcp, quic, http or ws' },
  ca: { type: 'string', description: 'CA certificate (PEM) that signed the server\'s QUIC certificate; without it the certificate is not verified' },
  username: { type: 'string', default: 'iggy', description: 'user name' },
  password: { type: 'string', default: 'iggy', description: 'password' },
  stream: { type: 'string', default: 'envelope-stream', description: 'stream name (created when missing)' },
  topic: { type: 'string', default: 'envelope-topic', description: 'topic name (created when missing)' },
  partitions: { type: 'string', default: '3', description: 'partitions of the topic when it is created' },
  partition: { type: 'string', description: 'partition id (default: producer balanced, consumer every partition)' },
  count: { type: 'string', default: '0', description: 'messages to send/receive, then exit (0 = until Ctrl-C)' },
  help: { type: 'boolean', short: 'h', default: false, description: 'show this help' },
};

export const SUPPORTED_TRANSPORTS = ['tcp', 'quic', 'http', 'ws'];

/** Iggy's default port of each transport. */
const DEFAULT_PORTS = { tcp: 8090, quic: 8080, http: 3000, ws: 8092 };

/** The envelope types the samples send. */
export const MESSAGE_TYPES = ['order_created', 'order_confirmed', 'order_rejected'];

/** Parses argv; prints help and exits 0 on --help, prints the problem and exits 2 on bad input. */
export function parseOptions(name, summary, extraOptions) {
  const options = { ...COMMON_OPTIONS, ...extraOptions };
  let parsed;
  try {
    parsed = parseArgs({ options: Object.fromEntries(Object.entries(options).map(([key, { description: _d, ...spec }]) => [key, spec])), strict: true, allowPositionals: false });
  } catch (error) {
    fail(name, error.message);
  }
  const values = parsed.values;
  if (values.help) {
    console.log(`Usage: node ${name} [options]\n\n${summary}\n\nOptions:`);
    for (const [key, spec] of Object.entries(options)) {
      const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${key}${spec.type === 'string' ? ' <value>' : ''}`;
      console.log(`  ${flag.padEnd(30)} ${spec.description}${spec.default !== undefined && spec.type === 'string' ? ` (default ${spec.default})` : ''}`);
    }
    process.exit(0);
  }
  if (!SUPPORTED_TRANSPORTS.includes(values.transport)) fail(name, `unsupported --transport ${values.transport}; supported: ${SUPPORTED_TRANSPORTS.join(', ')}`);
  values.address ??= `127.0.0.1:${DEFAULT_PORTS[values.transport]}`;
  return values;
}

/** A non-negative integer option, or exit 2. */
export function integerOption(name, values, key, { min = 0 } = {}) {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) fail(name, `--${key} must be an integer >= ${min}, got ${raw}`);
  return value;
}

/** A positive number option (may be fractional), or exit 2. */
export function numberOption(name, values, key) {
  const value = Number(values[key]);
  if (!Number.isFinite(value) || value <= 0) fail(name, `--${key} must be a positive number, got ${values[key]}`);
  return value;
}

export function fail(name, message) {
  console.error(`${name}: ${message}`);
  process.exit(2);
}

/** A client for the options, and the stream and topic (both created when missing). */
export async function connect(values) {
  const credentials = { username: values.username, password: values.password };
  const reconnect = { maxAttempts: 5 };
  const client =
    values.transport === 'tcp'
      ? IggyClient.fromAddress(values.address, { credentials, reconnect })
      : new IggyClient({ transport: await transportFor(values), credentials, reconnect });
  await client.connect();
  const partitionsCount = Number(values.partitions);
  const stream = await client.ensureStream(values.stream);
  const topic = await client.ensureTopic({ streamId: stream.id, name: values.topic, partitionsCount: Number.isInteger(partitionsCount) && partitionsCount > 0 ? partitionsCount : 3 });
  return { client, stream, topic };
}

/** The SDK transport for --transport quic, http or ws (one IggyClient API over all of them). */
async function transportFor(values) {
  const [host, portText] = [values.address.slice(0, values.address.lastIndexOf(':')), values.address.slice(values.address.lastIndexOf(':') + 1)];
  const port = Number(portText);
  switch (values.transport) {
    case 'http':
      return new HttpTransport({ url: `http://${values.address}` });
    case 'ws': {
      // Node 20 has no global WebSocket: the `ws` package provides one (browsers pass their own).
      const { WebSocket } = await import('ws');
      return new WebSocketTransport({ url: `ws://${values.address}`, createWebSocket: (url) => new WebSocket(url) });
    }
    case 'quic':
      if (values.ca === undefined) console.error('note: the server\'s QUIC certificate is not verified (pass --ca to verify it)');
      return new QuicTransport({ host, port, serverName: 'localhost', ...(values.ca === undefined ? { verifyPeer: false } : { ca: readFileSync(values.ca, 'utf8') }) });
    default:
      throw new Error(`unsupported transport ${values.transport}`);
  }
}

/** Typed user headers of an envelope. */
export function envelopeHeaders(type) {
  return { message_type: header.string(type) };
}

/** Resolves on SIGINT/SIGTERM (once). */
export function interrupted() {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
