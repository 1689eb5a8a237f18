/**
 * Entry of a shard worker thread. A shard exclusively owns the partitions hashed to it (their segment
 * files, indexes, ring-buffer caches and consumer offsets) and serves every operation on them in
 * arrival order. Synchronous file APIs are deliberate: this thread does nothing else, and a
 * synchronous write keeps the append → ack order trivially correct.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { rmSync } from 'node:fs';
import { ErrorCode, IggyError, initHashes } from '@iggy-ts/protocol';
import { createLogger } from '../logging.js';
import type { LogLevel } from '../config/schema.js';
import { MessageCipher, PartitionLog, parseEncryptionKey } from '@iggy-ts/storage';
import { partitionDirectory, type PartitionAddress, type PartitionStats, type ShardReply, type ShardRequest, type ShardWorkerData } from './protocol.js';
import { ownedArrayBuffer, writePollHeaders } from './buffers.js';

const config = workerData as ShardWorkerData;
// The same logger setup as the router thread (level labels, ISO time, the log file when configured).
const logger = createLogger({ level: config.logLevel as LogLevel, file: config.logFile ?? undefined }).child({ module: 'shard', shardId: config.shardId });
const partitions = new Map<string, PartitionLog>();
const port = parentPort!;
/** Encryption at rest: one cipher for every partition of this shard (used synchronously on this thread). */
const cipher = config.encryptionKey === null ? undefined : new MessageCipher(parseEncryptionKey(config.encryptionKey));

function keyOf(partition: PartitionAddress): string {
  return `${partition.streamId}/${partition.topicId}/${partition.partitionId}`;
}

function statsOf(log: PartitionLog): PartitionStats {
  return {
    currentOffset: log.currentOffset,
    messagesCount: log.messagesCount,
    sizeBytes: log.sizeBytes,
    segmentsCount: log.segmentsCount,
    empty: log.isEmpty,
    cacheHits: log.cacheHits,
    cacheMisses: log.cacheMisses,
  };
}

function openLog(partition: PartitionAddress): PartitionLog {
  const key = keyOf(partition);
  let log = partitions.get(key);
  if (log === undefined) {
    log = PartitionLog.open({
      directory: partitionDirectory(config.dataPath, partition),
      segmentSizeBytes: config.segmentSizeBytes,
      cacheSizeBytes: config.cacheSizeBytes,
      durability: { mode: config.durabilityMode, flushMessagesCount: config.flushMessagesCount, flushSizeBytes: config.flushSizeBytes },
      verifyChecksumsOnRead: config.verifyChecksumsOnRead,
      directIo: config.directIo,
      validateChecksumsOnOpen: config.validateChecksumsOnOpen,
      maxPollBytes: config.pollResponseSizeBytesMax,
      dedup: config.dedup,
      encryption: cipher,
      logger: logger.child({ partition: key }),
    });
    partitions.set(key, log);
  }
  return log;
}

function logOf(partition: PartitionAddress): PartitionLog {
  const log = partitions.get(keyOf(partition));
  if (log === undefined) throw new IggyError(ErrorCode.PartitionNotFound);
  return log;
}

const POLL_STRATEGY_OFFSET = 1;
const POLL_STRATEGY_TIMESTAMP = 2;
const POLL_STRATEGY_FIRST = 3;
const POLL_STRATEGY_LAST = 4;
const POLL_STRATEGY_NEXT = 5;

function poll(request: Extract<ShardRequest, { op: 'poll' }>): ShardReply {
  const log = logOf(request.partition);
  const reserve = request.headerReserveBytes;
  let result: { bytes: Buffer; messagesCount: number; firstOffset?: number };
  if (request.count === 0 || log.isEmpty) {
    result = { bytes: Buffer.alloc(reserve), messagesCount: 0 };
  } else if (request.strategyKind === POLL_STRATEGY_TIMESTAMP) {
    result = log.pollByTimestamp(request.strategyValue, request.count, reserve);
  } else {
    let start: number;
    switch (request.strategyKind) {
      case POLL_STRATEGY_OFFSET:
        start = request.strategyValue;
        break;
      case POLL_STRATEGY_FIRST:
        start = log.firstOffset;
        break;
      case POLL_STRATEGY_LAST: {
        const current = log.currentOffset;
        start = current + 1 - Math.min(request.count, current + 1);
        break;
      }
      case POLL_STRATEGY_NEXT: {
        const stored = log.getConsumerOffset(request.consumerKind, request.consumerId);
        start = stored === undefined ? log.firstOffset : stored + 1;
        break;
      }
      default:
        throw new IggyError(ErrorCode.InvalidCommand);
    }
    result = log.poll(start, request.count, reserve);
  }
  const currentOffset = log.isEmpty ? 0 : log.currentOffset;
  if (request.autoCommit && result.messagesCount > 0) {
    // Offsets are dense within a partition, so the last returned offset follows from the first.
    log.storeConsumerOffset(request.consumerKind, request.consumerId, result.firstOffset! + result.messagesCount - 1);
  }
  const buffer = ownedArrayBuffer(result.bytes);
  writePollHeaders(buffer, reserve, request.partition.partitionId, currentOffset, result.messagesCount);
  return { requestId: request.requestId, ok: true, buffer, byteLength: buffer.byteLength, count: result.messagesCount, firstOffset: result.firstOffset, stats: statsOf(log) };
}

function handle(request: ShardRequest): ShardReply | undefined {
  switch (request.op) {
    case 'open': {
      const log = openLog(request.partition);
      return { requestId: request.requestId, ok: true, stats: statsOf(log) };
    }
    case 'append': {
      const log = logOf(request.partition);
      const batch = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
      const result = log.append(batch, request.count);
      // The log copied the batch (ring or file): the frame buffer goes back to the router's pool.
      return { requestId: request.requestId, ok: true, stats: statsOf(log), firstOffset: result.firstOffset ?? -1, returned: request.buffer };
    }
    case 'poll':
      return poll(request);
    case 'flush': {
      const log = logOf(request.partition);
      log.flush(request.fsync);
      return { requestId: request.requestId, ok: true, stats: statsOf(log) };
    }
    case 'flushAll': {
      for (const log of partitions.values()) log.flush(request.fsync);
      return { requestId: request.requestId, ok: true };
    }
    case 'getOffset': {
      const log = logOf(request.partition);
      const stored = log.getConsumerOffset(request.consumerKind, request.consumerId);
      return { requestId: request.requestId, ok: true, value: stored ?? null, stats: statsOf(log) };
    }
    case 'storeOffset': {
      const log = logOf(request.partition);
      if (log.isEmpty || request.offset > log.currentOffset) throw new IggyError(ErrorCode.InvalidOffset);
      log.storeConsumerOffset(request.consumerKind, request.consumerId, request.offset);
      return { requestId: request.requestId, ok: true };
    }
    case 'deleteOffset': {
      const log = logOf(request.partition);
      if (!log.deleteConsumerOffset(request.consumerKind, request.consumerId)) throw new IggyError(ErrorCode.ConsumerOffsetNotFound);
      return { requestId: request.requestId, ok: true };
    }
    case 'deleteGroupOffsets': {
      const log = partitions.get(keyOf(request.partition));
      log?.deleteConsumerOffset('group', request.groupId);
      return { requestId: request.requestId, ok: true };
    }
    case 'deleteSegments': {
      const log = logOf(request.partition);
      const lowest = log.lowestStoredOffset();
      const deleted = log.deleteOldestSegments(request.count, lowest ?? Number.MAX_SAFE_INTEGER);
      return { requestId: request.requestId, ok: true, value: deleted, stats: statsOf(log) };
    }
    case 'retention': {
      const log = logOf(request.partition);
      const deleted = applyRetention(log, request.messageExpiryUs, request.maxSizeBytes);
      return { requestId: request.requestId, ok: true, value: deleted, stats: statsOf(log) };
    }
    case 'purge': {
      const log = logOf(request.partition);
      log.purge();
      return { requestId: request.requestId, ok: true, stats: statsOf(log) };
    }
    case 'destroy': {
      const key = keyOf(request.partition);
      const log = partitions.get(key);
      partitions.delete(key);
      if (log !== undefined) log.destroy();
      else rmSync(partitionDirectory(config.dataPath, request.partition), { recursive: true, force: true });
      return { requestId: request.requestId, ok: true };
    }
    case 'close': {
      for (const log of partitions.values()) log.close();
      partitions.clear();
      return { requestId: request.requestId, ok: true };
    }
  }
}

/** Deletes whole sealed segments that are expired or beyond the topic's size cap; returns how many. */
function applyRetention(log: PartitionLog, messageExpiryUs: number | null, maxSizeBytes: number | null): number {
  let deleted = 0;
  if (messageExpiryUs !== null) {
    const cutoff = Date.now() * 1000 - messageExpiryUs;
    let expired = 0;
    for (const segment of log.sealedSegments()) {
      if (segment.lastTimestampUs >= cutoff) break;
      expired += 1;
    }
    if (expired > 0) deleted += log.deleteOldestSegments(expired, Number.MAX_SAFE_INTEGER);
  }
  if (maxSizeBytes !== null) {
    let excess = log.sizeBytes - maxSizeBytes;
    let oversized = 0;
    for (const segment of log.sealedSegments()) {
      if (excess <= 0) break;
      excess -= segment.sizeBytes;
      oversized += 1;
    }
    if (oversized > 0) deleted += log.deleteOldestSegments(oversized, Number.MAX_SAFE_INTEGER);
  }
  return deleted;
}

function reply(message: ShardReply): void {
  if (!message.ok) {
    port.postMessage(message);
    return;
  }
  const transfer: ArrayBuffer[] = [];
  if (message.buffer !== undefined) transfer.push(message.buffer);
  if (message.returned !== undefined) transfer.push(message.returned);
  port.postMessage(message, transfer);
}

port.on('message', (request: ShardRequest) => {
  try {
    const result = handle(request);
    if (result !== undefined) reply(result);
  } catch (error) {
    if (error instanceof IggyError) {
      reply({ requestId: request.requestId, ok: false, errorCode: error.code, message: error.message });
    } else {
      logger.error({ err: error, op: request.op }, 'shard operation failed');
      reply({ requestId: request.requestId, ok: false, errorCode: ErrorCode.Error, message: String((error as Error).message ?? error) });
    }
  }
});

const flushTimer = setInterval(() => {
  for (const [key, log] of partitions) {
    try {
      log.flush(config.enforceFsyncOnInterval);
    } catch (error) {
      logger.error({ err: error, partition: key }, 'interval flush failed');
    }
  }
}, config.flushIntervalMs);
flushTimer.unref();

await initHashes();
port.postMessage('ready');
