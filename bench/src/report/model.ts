/**
 * The result of one benchmark run, as written to the JSON file (schema "iggy-ts-bench/1") and read
 * by the table and HTML renderers. Units are in the names: MB = 10^6 bytes, times in ms or s.
 */
import type { ActorRole } from '../actors.js';
import type { BenchmarkKind, DurabilityMode, TransportName } from '../config.js';
import type { EnvironmentFacts } from '../environment.js';
import type { LatencySummary } from '../histogram.js';
import type { TimeSample } from '../recorder.js';

export const RESULT_SCHEMA = 'iggy-ts-bench/1';

export interface ActorResult {
  role: ActorRole;
  /** 1-based within its role. */
  id: number;
  streamName: string;
  /** Explicit partition id, or null for Balanced partitioning / consumer groups. */
  partitionId: number | null;
  messagesCount: number;
  payloadBytes: number;
  batchesCount: number;
  durationS: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Per request round trip (a producing consumer: the whole send-and-poll cycle). */
  latency: LatencySummary;
  samples: TimeSample[];
}

/** All actors of one role together. */
export interface GroupResult {
  role: ActorRole;
  actorsCount: number;
  messagesCount: number;
  payloadBytes: number;
  batchesCount: number;
  /** From the start of the measurement to the last actor's end. */
  durationS: number;
  /** Sum of the actors' rates (Iggy's "total throughput"). */
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Over every batch of every actor of the role. */
  latency: LatencySummary;
  /** Per second: summed throughput, latency percentiles over all the role's batches in that second. */
  samples: TimeSample[];
}

export interface ServerFacts {
  mode: 'spawn' | 'existing';
  address: string;
  pid: number | undefined;
  /** Spawned server: as started; existing server: undefined (not known to the bench). */
  durability: DurabilityMode | undefined;
  /** --shards given to a spawned server (undefined = the server's default, one per CPU). */
  shards: number | undefined;
  dataPath: string | undefined;
  serverBinary: string | undefined;
  nodeArgs: string[];
  /** From GetStats. */
  version: string | undefined;
  threadsCount: number | undefined;
  hostname: string | undefined;
  /** Resident memory sampled from /proc/<pid>/status (spawned server, or --server-pid), whole run. */
  rssBytesMax: number | undefined;
  /** Server CPU over the measurement, % of one core (from /proc/<pid>/stat). */
  cpuPercentMean: number | undefined;
  /** One per second of the measurement. */
  resourceSamples: { timeS: number; rssBytes: number; cpuPercent: number }[];
}

/** The bench process itself, to tell whether the client was the bottleneck. */
export interface ClientFacts {
  /** CPU over the measurement, % of one core (all actors share one thread). */
  cpuPercentMean: number;
}

export interface BenchParameters {
  streamsCount: number;
  partitionsCount: number;
  producersCount: number;
  consumersCount: number;
  messagesPerBatch: number;
  messageSizeBytes: number;
  /** Per measured actor; null when only --duration bounds the run. */
  batchesPerActor: number | null;
  totalSizeBytes: number | null;
  durationMs: number | null;
  rateLimitBytesPerSecond: number | null;
  warmupMs: number;
  /** Batches written by the unmeasured producing phase of the consumer kinds. */
  prefillMessagesCount: number;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  kind: BenchmarkKind;
  description: string;
  transport: TransportName;
  commandLine: string;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  parameters: BenchParameters;
  groups: GroupResult[];
  actors: ActorResult[];
  server: ServerFacts;
  client: ClientFacts;
  environment: EnvironmentFacts;
}
