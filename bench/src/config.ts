/**
 * The benchmark kinds (Iggy's names and meanings) and the resolved configuration of one run. Every
 * count and size is checked here, once, before anything connects.
 */

export const BENCHMARK_KINDS = [
  'pinned-producer',
  'pinned-consumer',
  'pinned-producer-and-consumer',
  'balanced-producer',
  'balanced-consumer-group',
  'balanced-producer-and-consumer-group',
  'end-to-end-producing-consumer',
  'end-to-end-producing-consumer-group',
] as const;
export type BenchmarkKind = (typeof BENCHMARK_KINDS)[number];

export const TRANSPORTS = ['tcp', 'quic', 'http', 'ws'] as const;
export type TransportName = (typeof TRANSPORTS)[number];
/** Transports the bench can drive today. */
export const SUPPORTED_TRANSPORTS: readonly TransportName[] = ['tcp', 'quic', 'http', 'ws'];
/** Default address of an existing server per transport (Iggy's defaults). */
export const DEFAULT_ADDRESSES: Readonly<Record<TransportName, string>> = { tcp: '127.0.0.1:8090', quic: '127.0.0.1:8080', http: '127.0.0.1:3000', ws: '127.0.0.1:8092' };

export type DurabilityMode = 'buffered' | 'fsync';

/** How a kind places its actors. */
export interface KindShape {
  /** Producers send with explicit partition ids (pinned) or Balanced partitioning (balanced). */
  readonly partitioning: 'pinned' | 'balanced';
  readonly hasProducers: boolean;
  readonly hasConsumers: boolean;
  /** Each actor sends a batch, then polls it back (the end-to-end kinds). */
  readonly producingConsumers: boolean;
  /** Consumers poll as members of one consumer group per stream (Next + auto-commit). */
  readonly consumerGroups: boolean;
  /** Consumers read data written by an unmeasured producing phase just before them. */
  readonly prefill: boolean;
  readonly description: string;
}

export const KIND_SHAPES: Readonly<Record<BenchmarkKind, KindShape>> = {
  'pinned-producer': {
    partitioning: 'pinned', hasProducers: true, hasConsumers: false, producingConsumers: false, consumerGroups: false, prefill: false,
    description: 'each producer sends to its own stream and partition',
  },
  'pinned-consumer': {
    partitioning: 'pinned', hasProducers: false, hasConsumers: true, producingConsumers: false, consumerGroups: false, prefill: true,
    description: 'each consumer polls its own partition by offset (data written first)',
  },
  'pinned-producer-and-consumer': {
    partitioning: 'pinned', hasProducers: true, hasConsumers: true, producingConsumers: false, consumerGroups: false, prefill: false,
    description: 'pinned producers and consumers at once, consumers following',
  },
  'balanced-producer': {
    partitioning: 'balanced', hasProducers: true, hasConsumers: false, producingConsumers: false, consumerGroups: false, prefill: false,
    description: 'producers send with Balanced partitioning over their stream',
  },
  'balanced-consumer-group': {
    partitioning: 'balanced', hasProducers: false, hasConsumers: true, producingConsumers: false, consumerGroups: true, prefill: true,
    description: 'consumers poll as a consumer group per stream (data written first)',
  },
  'balanced-producer-and-consumer-group': {
    partitioning: 'balanced', hasProducers: true, hasConsumers: true, producingConsumers: false, consumerGroups: true, prefill: false,
    description: 'balanced producers and consumer-group consumers at once',
  },
  'end-to-end-producing-consumer': {
    partitioning: 'pinned', hasProducers: false, hasConsumers: false, producingConsumers: true, consumerGroups: false, prefill: false,
    description: 'each actor sends a batch to its partition, then polls it back',
  },
  'end-to-end-producing-consumer-group': {
    partitioning: 'balanced', hasProducers: false, hasConsumers: false, producingConsumers: true, consumerGroups: true, prefill: false,
    description: 'each actor sends a batch, then polls its stream as a group member',
  },
};

/** How much each measured actor does. */
export type BenchAmount =
  | { readonly kind: 'batches'; readonly batchesPerActor: number }
  | { readonly kind: 'total-size'; readonly totalSizeBytes: number; readonly batchesPerActor: number };

export interface BenchConfig {
  readonly kind: BenchmarkKind;
  readonly transport: TransportName;
  readonly server: 'spawn' | 'existing';
  /** host:port of an existing server; undefined when one is spawned. */
  readonly address: { readonly host: string; readonly port: number } | undefined;
  readonly username: string;
  readonly password: string;
  readonly streamsCount: number;
  readonly partitionsCount: number;
  readonly producersCount: number;
  readonly consumersCount: number;
  readonly messagesPerBatch: number;
  readonly messageSizeBytes: number;
  readonly amount: BenchAmount;
  /** Measured-phase cap; with no --batches/--total-size it alone ends producing actors. */
  readonly durationMs: number | undefined;
  /** Total payload rate over all actors of the limited role; undefined = unlimited. */
  readonly rateLimitBytesPerSecond: number | undefined;
  readonly warmupMs: number;
  /** Spawned server only. */
  readonly durability: DurabilityMode;
  readonly shards: number | undefined;
  readonly serverNodeArgs: readonly string[];
  readonly serverBinary: string | undefined;
  readonly dataPath: string | undefined;
  readonly keepData: boolean;
  /** Existing server on this machine: its pid, to sample its resident memory. */
  readonly serverPid: number | undefined;
  readonly outputDir: string;
  /** Print the JSON result on stdout instead of the table (and no progress bar). */
  readonly json: boolean;
  readonly html: boolean;
  readonly progress: boolean;
  readonly smoke: boolean;
  /** The command line, for the report. */
  readonly commandLine: string;
}

/** A configuration that cannot run. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The number of actors an amount is divided among: producers, consumers or producing consumers. */
export function primaryActorsCount(kind: BenchmarkKind, producersCount: number, consumersCount: number): number {
  const shape = KIND_SHAPES[kind];
  if (shape.producingConsumers || shape.hasProducers) return producersCount;
  return consumersCount;
}

/** Defaults that depend on the kind: streams and partitions. */
export function defaultTopology(kind: BenchmarkKind, producersCount: number, consumersCount: number): { streamsCount: number; partitionsCount: number } {
  const shape = KIND_SHAPES[kind];
  if (shape.partitioning === 'pinned') {
    const actors = Math.max(shape.hasProducers || shape.producingConsumers ? producersCount : 0, shape.hasConsumers ? consumersCount : 0);
    return { streamsCount: actors, partitionsCount: 1 };
  }
  return { streamsCount: 1, partitionsCount: 4 };
}
