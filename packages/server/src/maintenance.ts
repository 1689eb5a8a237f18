/**
 * Periodic work of the router: message retention (expiry and topic size), the personal-access-token
 * cleaner, consumer-group revocation timeouts and the heartbeat verifier. Each task is a timer that
 * never overlaps itself and never crashes the server.
 */
import type { Logger } from 'pino';
import type { ServerState } from './router/context.js';
import { U64_MAX } from './metadata/model.js';

export interface Maintenance {
  stop(): void;
  /** Runs one retention pass now (tests and operators). Returns the number of segments deleted. */
  runRetention(): Promise<number>;
}

const GROUP_TICK_INTERVAL_MS = 1000;
/** A client is stale when its last Ping is older than this many heartbeat intervals (Iggy 0.8: 1.2). */
const HEARTBEAT_STALE_FACTOR = 1.2;

export function startMaintenance(state: ServerState, logger: Logger): Maintenance {
  const timers: NodeJS.Timeout[] = [];
  const { config } = state;

  function every(intervalMs: number, name: string, task: () => void | Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve()
        .then(task)
        .catch((error: unknown) => logger.error({ err: error, task: name }, 'maintenance task failed'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    timers.push(timer);
  }

  async function runRetention(): Promise<number> {
    let deleted = 0;
    for (const stream of state.metadata.getStreams()) {
      for (const topic of stream.topics.values()) {
        const messageExpiryUs = topic.messageExpiryUs === U64_MAX || topic.messageExpiryUs === 0n ? null : Number(topic.messageExpiryUs);
        const maxSizeBytes = topic.maxTopicSizeBytes === U64_MAX || topic.maxTopicSizeBytes === 0n ? null : Number(topic.maxTopicSizeBytes);
        if (messageExpiryUs === null && maxSizeBytes === null) continue;
        // The topic cap is shared by its partitions: each partition keeps at most its share.
        const perPartitionBytes = maxSizeBytes === null ? null : Math.floor(maxSizeBytes / Math.max(1, topic.partitions.length));
        for (const { id: partitionId } of topic.partitions) {
          const partition = { streamId: stream.id, topicId: topic.id, partitionId };
          const reply = await state.shards.forPartition({ op: 'retention', partition, messageExpiryUs, maxSizeBytes: perPartitionBytes });
          if (reply.stats !== undefined) state.stats.set(partition, reply.stats);
          const count = typeof reply.value === 'number' ? reply.value : 0;
          if (count > 0) logger.info({ ...partition, segments: count }, 'retention deleted segments');
          deleted += count;
        }
      }
    }
    return deleted;
  }

  if (config.topic.retention.enabled) every(config.topic.retention.intervalMs, 'retention', runRetention);
  if (config.personalAccessToken.cleaner.enabled) {
    every(config.personalAccessToken.cleaner.intervalMs, 'token-cleaner', () => {
      const removed = state.metadata.deleteExpiredTokens();
      if (removed.length > 0) logger.info({ count: removed.length }, 'expired personal access tokens deleted');
    });
  }
  every(GROUP_TICK_INTERVAL_MS, 'group-revocations', () => {
    state.metadata.tick();
  });
  if (config.heartbeat.enabled) {
    every(config.heartbeat.intervalMs, 'heartbeat', () => {
      const staleBeforeMs = Date.now() - config.heartbeat.intervalMs * HEARTBEAT_STALE_FACTOR;
      for (const session of [...state.sessions.all()]) {
        if (session.lastHeartbeatMs < staleBeforeMs) {
          logger.info({ clientId: session.clientId, address: session.address }, 'stale client disconnected');
          session.close();
        }
      }
    });
  }

  return {
    stop(): void {
      for (const timer of timers) clearInterval(timer);
    },
    runRetention,
  };
}
