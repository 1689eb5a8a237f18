/**
 * What every command handler receives: the router's state and the calling session.
 * Handlers return the response payload (or `undefined` for an empty OK, or a `FramedResponse` whose
 * bytes already include the 8-byte response header) and throw IggyError for error replies.
 */
import type { Logger } from 'pino';
import type { Metadata } from '../metadata/metadata.js';
import type { ServerConfig } from '../config/schema.js';
import type { ShardPool } from '../shards/shard-pool.js';
import type { PartitionStatsTable } from './partition-stats.js';
import type { TopicTrafficTable } from './topic-traffic.js';
import type { Session, SessionRegistry } from './sessions.js';

export class FramedResponse {
  constructor(readonly bytes: Uint8Array) {}
}

export type HandlerResult = Uint8Array | FramedResponse | undefined;

export interface ServerState {
  readonly config: ServerConfig;
  readonly metadata: Metadata;
  readonly shards: ShardPool;
  readonly sessions: SessionRegistry;
  readonly stats: PartitionStatsTable;
  readonly logger: Logger;
  readonly startedAtUs: number;
  /** Ports actually bound, for GetClusterMetadata. */
  readonly boundPorts: { tcp: number; quic: number; http: number; websocket: number };
  readonly host: string;
  /** Byte and message counters for GetStats. */
  readonly counters: { readBytes: number; writtenBytes: number; messagesSent: number; messagesPolled: number };
  /** The same figures per topic, for /metrics. */
  readonly topicTraffic: TopicTrafficTable;
}

export interface Context {
  readonly state: ServerState;
  readonly session: Session;
}

export type Handler = (context: Context, payload: Buffer) => HandlerResult | Promise<HandlerResult>;

/** The user id of an authenticated session (the dispatcher has checked authentication). */
export function userIdOf(context: Context): number {
  return context.session.userId!;
}
