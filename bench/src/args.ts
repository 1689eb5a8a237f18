/**
 * The `iggy-bench` command line → BenchConfig. Parsing never prints and never exits: --help and
 * --version come back as text, mistakes as ConfigError with a precise message.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import {
  BENCHMARK_KINDS,
  ConfigError,
  KIND_SHAPES,
  DEFAULT_ADDRESSES,
  SUPPORTED_TRANSPORTS,
  TRANSPORTS,
  defaultTopology,
  primaryActorsCount,
  type BenchAmount,
  type BenchConfig,
  type BenchmarkKind,
  type DurabilityMode,
  type TransportName,
} from './config.js';
import { UnitError, parseDurationMs, parseRateBytesPerSecond, parseSizeBytes } from './units.js';

export type BenchArgs =
  | { readonly action: 'run'; readonly config: BenchConfig }
  | { readonly action: 'help'; readonly text: string }
  | { readonly action: 'version'; readonly text: string };

/** bench/results (git-ignored), wherever the command runs from: src/ and dist/ sit one level down. */
const DEFAULT_OUTPUT_DIR = fileURLToPath(new URL('../results', import.meta.url));
const DEFAULT_BATCHES_PER_ACTOR = 1000;
/** --smoke: every kind for about 2 s with small batches (CI). */
const SMOKE = { messagesPerBatch: 10, messageSizeBytes: 100, duration: '2 s', batchesPerActor: 2000, warmup: '250 ms' } as const;

function packageVersion(): string {
  // src/args.ts and dist/args.js both sit one level below the package root.
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

function buildParser(): ReturnType<typeof yargs> {
  return yargs()
    .scriptName('iggy-bench')
    .usage(
      '$0 <kind> [options]\n\nBenchmarks an iggy-ts or Apache Iggy 0.8 server. Kinds:\n' +
        BENCHMARK_KINDS.map((kind) => `  ${kind.padEnd(38)}${KIND_SHAPES[kind].description}`).join('\n'),
    )
    .options({
      transport: { type: 'string', requiresArg: true, choices: TRANSPORTS, default: 'tcp', describe: 'Transport: tcp (lean path), quic, http or ws (the SDK transports)' },
      server: { type: 'string', requiresArg: true, choices: ['spawn', 'existing'], default: 'spawn', describe: 'Spawn a server on a fresh temporary data directory, or use the one at --address' },
      address: { type: 'string', requiresArg: true, describe: 'host:port of an existing server for --transport (default 127.0.0.1: 8090 tcp, 8080 quic, 3000 http, 8092 ws)' },
      username: { type: 'string', requiresArg: true, default: 'iggy', describe: 'User to log in as' },
      password: { type: 'string', requiresArg: true, default: 'iggy', describe: 'Password' },
      streams: { type: 'string', requiresArg: true, describe: 'Streams (default: one per pinned actor; 1 for balanced kinds)' },
      partitions: { type: 'string', requiresArg: true, describe: 'Partitions per topic (default: 1 for pinned kinds, 4 for balanced kinds)' },
      producers: { type: 'string', requiresArg: true, describe: 'Producers, or producing consumers for the end-to-end kinds (default 1)' },
      consumers: { type: 'string', requiresArg: true, describe: 'Consumers (default 1)' },
      'messages-per-batch': { type: 'string', requiresArg: true, describe: 'Messages per batch (default 1000)' },
      'message-size': { type: 'string', requiresArg: true, describe: 'Payload bytes per message, e.g. 1000 or "1 KB" (default 1000)' },
      batches: { type: 'string', requiresArg: true, describe: `Batches per actor (default ${DEFAULT_BATCHES_PER_ACTOR})` },
      'total-size': { type: 'string', requiresArg: true, describe: 'Total payload over all actors instead of --batches, e.g. "10 GB"' },
      duration: { type: 'string', requiresArg: true, describe: 'Measure for this long, e.g. "30 s" (caps --batches / --total-size when given with them)' },
      'rate-limit': { type: 'string', requiresArg: true, describe: 'Total payload rate over all actors, e.g. "500 MB/s"' },
      warmup: { type: 'string', requiresArg: true, describe: 'Unmeasured warm-up before the measurement, e.g. "2 s" (default 0 s)' },
      durability: { type: 'string', requiresArg: true, choices: ['buffered', 'fsync'], default: 'buffered', describe: 'Durability mode of a spawned server' },
      shards: { type: 'string', requiresArg: true, describe: 'Shard threads of a spawned server (default: the server\'s, one per CPU)' },
      'server-node-args': { type: 'string', requiresArg: true, describe: 'Node options for a spawned server; use the = form: --server-node-args="--cpu-prof --cpu-prof-dir=prof"' },
      'server-binary': { type: 'string', requiresArg: true, describe: 'iggy-server script to spawn (default: the workspace\'s @iggy-ts/server)' },
      'data-path': { type: 'string', requiresArg: true, describe: 'Data directory of a spawned server (default: a fresh temporary directory)' },
      'keep-data': { type: 'boolean', default: false, describe: 'Keep the spawned server\'s data directory / the bench streams of an existing server' },
      'server-pid': { type: 'string', requiresArg: true, describe: 'Pid of an existing server on this machine, to sample its resident memory' },
      'output-dir': { type: 'string', requiresArg: true, describe: 'Directory for the JSON and HTML reports (default: bench/results of this package)' },
      json: { type: 'boolean', default: false, describe: 'Print the JSON result on stdout instead of the table (no progress bar)' },
      html: { type: 'boolean', default: true, describe: 'Write the HTML report (--no-html to skip)' },
      progress: { type: 'boolean', default: true, describe: 'Progress bar on stderr when it is a terminal (--no-progress to hide)' },
      smoke: { type: 'boolean', default: false, describe: 'Quick check: ~2 s, 10 messages of 100 B per batch (unless given)' },
    })
    .strictOptions()
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .epilogue(
      'Sizes: B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024). Durations: ms, s, min, h. ' +
        'Throughput is reported as payload MB/s (10^6 bytes). See docs/benchmarks.md.',
    )
    .wrap(110);
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new ConfigError(`--${name} = ${JSON.stringify(text)} must be a whole number ≥ 1`);
  }
  return Number(text);
}

function withUnits<T>(name: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof UnitError) throw new ConfigError(`--${name}: ${error.message}`);
    throw error;
  }
}

/** "host:port" → parts; the host may be a bracketed IPv6 address. */
export function parseAddress(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65_535) throw new ConfigError(`--address = ${JSON.stringify(text)} must be host:port`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Parses the arguments after `iggy-bench`. Throws ConfigError. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let failure: Error | null = null;
  let text = '';
  const parsed = buildParser().parse(argv, {}, (error, _argv, output) => {
    failure = error ?? null;
    text = output;
  });
  // TypeScript cannot see the synchronous callback's assignments.
  const error = failure as Error | null;
  if (error !== null) throw new ConfigError(error.message);
  if (parsed.help === true) return { action: 'help', text };
  if (parsed.version === true) return { action: 'version', text };

  const option = (name: string): string | undefined => parsed[name] as string | undefined;
  const flag = (name: string): boolean => parsed[name] === true;

  if (parsed._.length === 0) throw new ConfigError(`a benchmark kind is required: ${BENCHMARK_KINDS.join(', ')}`);
  if (parsed._.length > 1) throw new ConfigError(`one benchmark kind at a time, got ${parsed._.join(' ')}`);
  const kindText = String(parsed._[0]);
  if (!(BENCHMARK_KINDS as readonly string[]).includes(kindText)) throw new ConfigError(`unknown benchmark kind ${JSON.stringify(kindText)}; kinds: ${BENCHMARK_KINDS.join(', ')}`);
  const kind = kindText as BenchmarkKind;
  const shape = KIND_SHAPES[kind];

  const transport = option('transport') as TransportName;
  if (!SUPPORTED_TRANSPORTS.includes(transport)) throw new ConfigError(`--transport ${transport} is not implemented yet; supported: ${SUPPORTED_TRANSPORTS.join(', ')}`);
  if (transport === 'http' && shape.consumerGroups) {
    throw new ConfigError(`${kind} needs consumer group membership, which the Iggy 0.8 HTTP API does not have (no join route); use --transport tcp, quic or ws`);
  }

  const server = option('server') as 'spawn' | 'existing';
  const addressText = option('address');
  if (server === 'spawn' && addressText !== undefined) throw new ConfigError('--address is for --server existing; a spawned server listens on a free local port');
  const address = server === 'existing' ? parseAddress(addressText ?? DEFAULT_ADDRESSES[transport]) : undefined;

  const smoke = flag('smoke');
  if (shape.producingConsumers && option('consumers') !== undefined) throw new ConfigError(`${kind} uses --producers for the number of producing consumers; --consumers does not apply`);
  if (!shape.hasConsumers && !shape.producingConsumers && option('consumers') !== undefined) throw new ConfigError(`${kind} has no consumers; --consumers does not apply`);
  if (!shape.hasProducers && !shape.producingConsumers && option('producers') !== undefined) throw new ConfigError(`${kind} has no producers; --producers does not apply`);
  const producersCount = positiveInteger('producers', option('producers'), 1);
  const consumersCount = positiveInteger('consumers', option('consumers'), 1);
  const topology = defaultTopology(kind, producersCount, consumersCount);
  const streamsCount = positiveInteger('streams', option('streams'), topology.streamsCount);
  const partitionsCount = positiveInteger('partitions', option('partitions'), topology.partitionsCount);
  const messagesPerBatch = positiveInteger('messages-per-batch', option('messages-per-batch'), smoke ? SMOKE.messagesPerBatch : 1000);
  const messageSizeText = option('message-size');
  const messageSizeBytes = messageSizeText === undefined ? (smoke ? SMOKE.messageSizeBytes : 1000) : withUnits('message-size', messageSizeText, parseSizeBytes);
  if (messageSizeBytes < 1 || messageSizeBytes > 64_000_000) throw new ConfigError(`--message-size must be 1 B to 64 MB, got ${messageSizeBytes} bytes`);
  const batchBytes = messagesPerBatch * (messageSizeBytes + 64);
  if (batchBytes > 256 * 1024 * 1024) throw new ConfigError(`a batch of ${messagesPerBatch} × ${messageSizeBytes} B exceeds the server's 256 MiB SendMessages limit`);

  const batchesText = option('batches');
  const totalSizeText = option('total-size');
  const durationText = option('duration') ?? (smoke ? SMOKE.duration : undefined);
  if (batchesText !== undefined && totalSizeText !== undefined) throw new ConfigError('give --batches or --total-size, not both');
  const actorsCount = primaryActorsCount(kind, producersCount, consumersCount);
  let amount: BenchAmount;
  if (totalSizeText !== undefined) {
    const totalSizeBytes = withUnits('total-size', totalSizeText, parseSizeBytes);
    if (totalSizeBytes < 1) throw new ConfigError('--total-size must be above 0');
    const batchesPerActor = Math.max(1, Math.ceil(totalSizeBytes / (actorsCount * messagesPerBatch * messageSizeBytes)));
    amount = { kind: 'total-size', totalSizeBytes, batchesPerActor };
  } else {
    const fallback = smoke ? SMOKE.batchesPerActor : DEFAULT_BATCHES_PER_ACTOR;
    amount = { kind: 'batches', batchesPerActor: positiveInteger('batches', batchesText, fallback) };
  }
  const durationMs = durationText === undefined ? undefined : withUnits('duration', durationText, parseDurationMs);
  if (durationMs !== undefined && durationMs < 1) throw new ConfigError('--duration must be above 0');
  // With only --duration, producing actors run until it ends; consumer-only kinds still read what
  // the producing phase wrote (--batches per consumer, default 1000), at most for --duration.
  const countBound = batchesText !== undefined || totalSizeText !== undefined;
  if (durationMs !== undefined && !countBound && !smoke && !shape.prefill) amount = { kind: 'batches', batchesPerActor: Number.MAX_SAFE_INTEGER };
  if (smoke && !countBound && !shape.prefill) amount = { kind: 'batches', batchesPerActor: Number.MAX_SAFE_INTEGER };

  const rateText = option('rate-limit');
  const rateLimitBytesPerSecond = rateText === undefined ? undefined : withUnits('rate-limit', rateText, parseRateBytesPerSecond);
  if (rateLimitBytesPerSecond !== undefined && rateLimitBytesPerSecond < 1) throw new ConfigError('--rate-limit must be above 0');
  const warmupText = option('warmup');
  const warmupMs = warmupText === undefined ? (smoke ? parseDurationMs(SMOKE.warmup) : 0) : withUnits('warmup', warmupText, parseDurationMs);

  const shardsText = option('shards');
  if (server === 'existing' && shardsText !== undefined) throw new ConfigError('--shards applies to a spawned server only');
  const shards = shardsText === undefined ? undefined : Number(shardsText);
  if (shards !== undefined && (!/^\d+$/.test(shardsText!) || !Number.isSafeInteger(shards))) throw new ConfigError(`--shards = ${JSON.stringify(shardsText)} must be a whole number (0 = one per CPU)`);
  const nodeArgsText = option('server-node-args');
  if (server === 'existing' && (nodeArgsText !== undefined || option('data-path') !== undefined || option('server-binary') !== undefined)) {
    throw new ConfigError('--server-node-args, --data-path and --server-binary apply to a spawned server only');
  }
  const serverPidText = option('server-pid');
  const serverPid = serverPidText === undefined ? undefined : positiveInteger('server-pid', serverPidText, 0);
  if (server === 'spawn' && serverPid !== undefined) throw new ConfigError('--server-pid is for --server existing (a spawned server is sampled anyway)');

  const json = flag('json');
  return {
    action: 'run',
    config: {
      kind,
      transport,
      server,
      address,
      username: option('username')!,
      password: option('password')!,
      streamsCount,
      partitionsCount,
      producersCount: shape.hasProducers || shape.producingConsumers ? producersCount : 0,
      consumersCount: shape.hasConsumers ? consumersCount : 0,
      messagesPerBatch,
      messageSizeBytes,
      amount,
      durationMs,
      rateLimitBytesPerSecond,
      warmupMs,
      durability: option('durability') as DurabilityMode,
      shards,
      serverNodeArgs: nodeArgsText === undefined ? [] : nodeArgsText.split(/\s+/).filter((part) => part.length > 0),
      serverBinary: option('server-binary'),
      dataPath: option('data-path'),
      keepData: flag('keep-data'),
      serverPid,
      outputDir: option('output-dir') ?? DEFAULT_OUTPUT_DIR,
      json,
      html: flag('html'),
      progress: flag('progress') && !json,
      smoke,
      commandLine: ['iggy-bench', ...argv].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' '),
    },
  };
}
