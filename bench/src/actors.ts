/**
 * The actors of a benchmark: producers, consumers and producing consumers, each on its own TCP
 * connection with one request in flight. Every request frame is built once per actor and reused:
 * a SendMessages frame is sent unchanged every time (the server assigns offsets, timestamps and
 * checksums), a poll frame has only its 8-byte start offset patched in place. Of a poll response only
 * the 16-byte header is read: [partition_id:u32][current_offset:u64][count:u32].
 *
 * All actors of a run share one event loop (and one RunState): counters of written and read messages
 * per stream and partition tell consumers when they have read everything, without asking the server.
 */
import {
  CommandCode,
  ConsumerKind,
  MessageHeader,
  PollingKind,
  balanced,
  encodePollMessagesRequest,
  encodeSendMessagesRequest,
  partitionId as partitionIdPartitioning,
  type Consumer as WireConsumer,
} from '@iggy-ts/protocol';
import { BenchError, type BenchLink, buildRequestFrame, statusName, HEAD_SIZE_BYTES } from './connection.js';
import { Recorder } from './recorder.js';

export type ActorRole = 'producer' | 'consumer' | 'producing-consumer';

/** A stream the benchmark created, with what has been written to and read from it so far. */
export interface StreamState {
  readonly index: number;
  readonly streamId: number;
  readonly topicId: number;
  readonly name: string;
  /** Consumer group id on its topic, for the group kinds. */
  groupId: number;
  /** Messages acknowledged by the server, per partition (index = partition id) and in total. */
  readonly partitionWrittenCounts: Float64Array;
  writtenCount: number;
  /** Messages read by the stream's consumer group. */
  groupReadCount: number;
}

/** The state all actors of one run share. */
export class RunState {
  phase: 'prefill' | 'warmup' | 'measure' | 'done' = 'warmup';
  measureStartMs = 0;
  /** End of a --duration measurement (Infinity without one, or before the measurement begins). */
  deadlineMs = Number.POSITIVE_INFINITY;
  /** Producers (or the sending part of producing consumers) are done: counters are final. */
  writersFinished = false;
  failure: Error | undefined = undefined;
  /** Every message and payload byte moved so far, warm-up included (for the progress bar). */
  liveMessagesCount = 0;
  livePayloadBytes = 0;

  constructor(readonly streams: readonly StreamState[]) {}

  fail(error: Error): void {
    if (this.failure === undefined) this.failure = error;
  }
}

/** The batch every producer sends: `messagesPerBatch` messages of `messageSizeBytes` random bytes. */
export interface BatchShape {
  readonly messagesPerBatch: number;
  readonly messageSizeBytes: number;
}

/** A consumer that finds nothing new for this long, although the writers are done, gives up. */
const STALL_TIMEOUT_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Payload shared by every message of every batch (content does not matter; it is not all zeros). */
function messagePayload(sizeBytes: number): Buffer {
  const payload = Buffer.allocUnsafe(sizeBytes);
  for (let i = 0; i < sizeBytes; i += 1) payload[i] = (i * 31 + 7) & 0xff;
  return payload;
}

/** A prebuilt SendMessages frame; `partition` undefined = Balanced partitioning. */
export function buildSendFrame(stream: StreamState, partition: number | undefined, shape: BatchShape): Buffer {
  const payload = messagePayload(shape.messageSizeBytes);
  const messages = new Array<{ payload: Buffer }>(shape.messagesPerBatch);
  for (let i = 0; i < shape.messagesPerBatch; i += 1) messages[i] = { payload };
  const request = encodeSendMessagesRequest({
    streamId: stream.streamId,
    topicId: stream.topicId,
    partitioning: partition === undefined ? balanced() : partitionIdPartitioning(partition),
    messages,
  });
  return buildRequestFrame(CommandCode.SendMessages, request);
}

/** A prebuilt PollMessages frame and where its u64 polling value sits (to patch the start offset). */
export interface PollFrame {
  readonly frame: Buffer;
  readonly valueAt: number;
}

export function buildPollFrame(consumer: WireConsumer, stream: StreamState, partition: number | undefined, kind: 'offset' | 'next', count: number, autoCommit: boolean): PollFrame {
  const request = encodePollMessagesRequest({
    consumer,
    streamId: stream.streamId,
    topicId: stream.topicId,
    partitionId: partition,
    strategy: { kind: kind === 'offset' ? PollingKind.Offset : PollingKind.Next, value: 0 },
    count,
    autoCommit,
  });
  const frame = buildRequestFrame(CommandCode.PollMessages, request);
  // The request ends [kind:u8][value:u64][count:u32][auto_commit:u8].
  return { frame, valueAt: frame.length - 13 };
}

function writeOffset(poll: PollFrame, offset: number): void {
  poll.frame.writeUInt32LE(offset >>> 0, poll.valueAt);
  poll.frame.writeUInt32LE(Math.floor(offset / 0x1_0000_0000), poll.valueAt + 4);
}

export interface ActorOptions {
  readonly role: ActorRole;
  /** 1-based, per role. */
  readonly id: number;
  readonly stream: StreamState;
  /** Explicit partition (pinned) or undefined (balanced / consumer group). */
  readonly partition: number | undefined;
  readonly connection: BenchLink;
  readonly recorder: Recorder;
  readonly shape: BatchShape;
  /** Measured batches before the actor stops (producers, producing consumers); Infinity with --duration only. */
  readonly batchesTarget: number;
  /** Payload bytes per second for this actor; undefined = unlimited. */
  readonly rateLimitBytesPerSecond: number | undefined;
  readonly run: RunState;
  /** Called once when the actor stops (its recorder is finished by then). */
  readonly onFinished: (actor: Actor) => void;
}

export abstract class Actor {
  readonly role: ActorRole;
  readonly id: number;
  readonly stream: StreamState;
  readonly partition: number | undefined;
  readonly connection: BenchLink;
  readonly recorder: Recorder;
  /** Batches (producers) or messages (consumers) done in the measurement, for the progress bar. */
  progressDone = 0;
  protected readonly options: ActorOptions;
  private rateStartMs = 0;
  private rateBytes = 0;

  constructor(options: ActorOptions) {
    this.options = options;
    this.role = options.role;
    this.id = options.id;
    this.stream = options.stream;
    this.partition = options.partition;
    this.connection = options.connection;
    this.recorder = options.recorder;
  }

  /** What `progressDone` counts up to (Infinity when only --duration bounds the actor). */
  abstract get progressTotal(): number;

  /** The measurement begins now: counters restart, the recorder starts recording. */
  beginMeasure(nowMs: number): void {
    this.progressDone = 0;
    this.rateStartMs = nowMs;
    this.rateBytes = 0;
    this.recorder.begin(nowMs);
  }

  async run(): Promise<void> {
    try {
      await this.loop();
    } catch (error) {
      this.options.run.fail(error as Error);
    }
    this.recorder.finish(performance.now());
    this.options.onFinished(this);
  }

  protected abstract loop(): Promise<void>;

  /** Waits until sending `bytes` more keeps the actor at its rate limit. */
  protected async throttle(bytes: number): Promise<void> {
    const rate = this.options.rateLimitBytesPerSecond;
    if (rate === undefined) return;
    if (this.rateStartMs === 0) this.rateStartMs = performance.now();
    const dueMs = this.rateStartMs + (this.rateBytes * 1000) / rate;
    this.rateBytes += bytes;
    const waitMs = dueMs - performance.now();
    if (waitMs >= 1) await sleep(waitMs);
  }

  protected check(what: string): void {
    const status = this.connection.status;
    if (status !== 0) throw new BenchError(`${this.role} ${this.id}: ${what} failed: ${statusName(status)}`, status);
  }

  /** Count and payload bytes of the poll response just received (no user headers are sent). */
  protected polledCount(): number {
    return this.connection.payloadSizeBytes < HEAD_SIZE_BYTES ? 0 : this.connection.head.readUInt32LE(12);
  }

  protected polledPayloadBytes(count: number): number {
    return this.connection.payloadSizeBytes - HEAD_SIZE_BYTES - count * MessageHeader.size;
  }
}

/** Sends the same prebuilt batch until its target or the deadline. */
export class Producer extends Actor {
  private readonly frame: Buffer;
  private readonly batchPayloadBytes: number;

  constructor(options: ActorOptions) {
    super(options);
    this.frame = buildSendFrame(options.stream, options.partition, options.shape);
    this.batchPayloadBytes = options.shape.messagesPerBatch * options.shape.messageSizeBytes;
  }

  get progressTotal(): number {
    return this.options.batchesTarget;
  }

  protected async loop(): Promise<void> {
    const run = this.options.run;
    const connection = this.connection;
    const count = this.options.shape.messagesPerBatch;
    const stream = this.stream;
    const partition = this.partition;
    const limited = this.options.rateLimitBytesPerSecond !== undefined;
    for (;;) {
      if (run.failure !== undefined) return;
      if (run.phase === 'measure' && (this.progressDone >= this.options.batchesTarget || performance.now() >= run.deadlineMs)) return;
      if (limited) await this.throttle(this.batchPayloadBytes);
      await connection.send(this.frame);
      this.check('SendMessages');
      this.recorder.record(count, this.batchPayloadBytes, connection.latencyMs);
      run.liveMessagesCount += count;
      run.livePayloadBytes += this.batchPayloadBytes;
      stream.writtenCount += count;
      if (partition !== undefined) stream.partitionWrittenCounts[partition]! += count;
      if (run.phase === 'measure') this.progressDone += 1;
    }
  }
}

export interface ConsumerOptions extends ActorOptions {
  /** Poll as a member of the stream's consumer group (Next, auto-commit) instead of by offset. */
  readonly group: boolean;
  /** Data was written by a prefill phase: warm up by re-reading it, stop at the deadline. */
  readonly prefilled: boolean;
  /** Partition a group consumer re-reads during warm-up (by offset, as an individual consumer). */
  readonly warmupPartition: number;
  /** Consumers in this consumer's group (they share the stream's messages); 1 when not grouped. */
  readonly groupSize: number;
}

/** Polls its partition by offset, or its stream as a consumer-group member, until it has read everything. */
export class Consumer extends Actor {
  private readonly poll: PollFrame;
  private readonly warmupPoll: PollFrame;
  private readonly consumerOptions: ConsumerOptions;
  private offset = 0;
  private warmupOffset = 0;
  private lastReadMs = performance.now();

  constructor(options: ConsumerOptions) {
    super(options);
    this.consumerOptions = options;
    const count = options.shape.messagesPerBatch;
    this.poll = options.group
      ? buildPollFrame({ kind: ConsumerKind.ConsumerGroup, id: options.stream.groupId }, options.stream, undefined, 'next', count, true)
      : buildPollFrame({ kind: ConsumerKind.Consumer, id: options.id }, options.stream, options.partition, 'offset', count, false);
    this.warmupPoll = buildPollFrame({ kind: ConsumerKind.Consumer, id: 1_000_000 + options.id }, options.stream, options.partition ?? options.warmupPartition, 'offset', count, false);
  }

  /** Messages this consumer has to read in the measurement (known once the writers are done). */
  get progressTotal(): number {
    const stream = this.stream;
    if (!this.options.run.writersFinished) return Number.POSITIVE_INFINITY;
    if (this.consumerOptions.group) return stream.writtenCount / this.consumerOptions.groupSize;
    return stream.partitionWrittenCounts[this.partition!]!;
  }

  override beginMeasure(nowMs: number): void {
    super.beginMeasure(nowMs);
    // After a warm-up that re-read prefilled data, the measurement reads it all from the start.
    if (this.consumerOptions.prefilled) this.offset = 0;
  }

  private finishedReading(): boolean {
    const run = this.options.run;
    if (!run.writersFinished) return false;
    const stream = this.stream;
    if (this.consumerOptions.group) return stream.groupReadCount >= stream.writtenCount;
    return this.offset >= stream.partitionWrittenCounts[this.partition!]!;
  }

  protected async loop(): Promise<void> {
    const run = this.options.run;
    const prefilled = this.consumerOptions.prefilled;
    const group = this.consumerOptions.group;
    const connection = this.connection;
    const stream = this.stream;
    for (;;) {
      if (run.failure !== undefined) return;
      const measuring = run.phase === 'measure';
      if (measuring) {
        if (this.finishedReading()) return;
        // A prefilled read stops at the deadline; a consumer following producers drains what they wrote.
        if (performance.now() >= (prefilled ? run.deadlineMs : run.deadlineMs + 30_000)) return;
      }
      if (prefilled && !measuring) {
        await this.warmupRead();
        continue;
      }
      if (this.options.rateLimitBytesPerSecond !== undefined) await this.throttle(this.options.shape.messagesPerBatch * this.options.shape.messageSizeBytes);
      if (!group) writeOffset(this.poll, this.offset);
      await connection.send(this.poll.frame);
      this.check('PollMessages');
      const count = this.polledCount();
      if (count === 0) {
        if (!this.finishedReading()) {
          if (run.writersFinished && performance.now() - this.lastReadMs > STALL_TIMEOUT_MS) {
            throw new BenchError(`consumer ${this.id}: nothing to read for ${STALL_TIMEOUT_MS / 1000} s although the writers wrote more`);
          }
          await sleep(1);
        }
        continue;
      }
      this.lastReadMs = performance.now();
      const payloadBytes = this.polledPayloadBytes(count);
      this.recorder.record(count, payloadBytes, connection.latencyMs);
      run.liveMessagesCount += count;
      run.livePayloadBytes += payloadBytes;
      if (group) stream.groupReadCount += count;
      else this.offset += count;
      if (run.phase === 'measure') this.progressDone += count;
    }
  }

  /** Warm-up of a prefilled run: re-read the partition from the start, round and round. */
  private async warmupRead(): Promise<void> {
    writeOffset(this.warmupPoll, this.warmupOffset);
    await this.connection.send(this.warmupPoll.frame);
    this.check('PollMessages');
    const count = this.polledCount();
    this.warmupOffset = count === 0 ? 0 : this.warmupOffset + count;
    this.options.run.liveMessagesCount += count;
    this.options.run.livePayloadBytes += this.polledPayloadBytes(count);
  }
}

export interface ProducingConsumerOptions extends ActorOptions {
  readonly group: boolean;
  /** Called when this actor has sent its last batch (before a group member drains its stream). */
  readonly onSendingDone: () => void;
}

/**
 * Sends a batch, then polls: by offset on its own partition until the batch is back (pinned), or once
 * as a consumer-group member (group). The recorded latency is the whole cycle. After its last batch a
 * group member keeps polling until the group has read everything its stream received.
 */
export class ProducingConsumer extends Actor {
  private readonly sendFrame: Buffer;
  private readonly poll: PollFrame;
  private readonly group: boolean;
  private readonly batchPayloadBytes: number;
  private readonly onSendingDone: () => void;
  private offset = 0;

  constructor(options: ProducingConsumerOptions) {
    super(options);
    this.group = options.group;
    this.onSendingDone = options.onSendingDone;
    this.sendFrame = buildSendFrame(options.stream, options.partition, options.shape);
    const count = options.shape.messagesPerBatch;
    this.poll = options.group
      ? buildPollFrame({ kind: ConsumerKind.ConsumerGroup, id: options.stream.groupId }, options.stream, undefined, 'next', count, true)
      : buildPollFrame({ kind: ConsumerKind.Consumer, id: options.id }, options.stream, options.partition, 'offset', count, false);
    this.batchPayloadBytes = count * options.shape.messageSizeBytes;
  }

  get progressTotal(): number {
    return this.options.batchesTarget;
  }

  protected async loop(): Promise<void> {
    const run = this.options.run;
    const connection = this.connection;
    const stream = this.stream;
    const count = this.options.shape.messagesPerBatch;
    const limited = this.options.rateLimitBytesPerSecond !== undefined;
    for (;;) {
      if (run.failure !== undefined) return;
      if (run.phase === 'measure' && (this.progressDone >= this.options.batchesTarget || performance.now() >= run.deadlineMs)) break;
      if (limited) await this.throttle(this.batchPayloadBytes);
      const startMs = performance.now();
      await connection.send(this.sendFrame);
      this.check('SendMessages');
      stream.writtenCount += count;
      if (this.partition !== undefined) stream.partitionWrittenCounts[this.partition]! += count;
      let receivedCount = 0;
      let receivedBytes = 0;
      const pollStartMs = performance.now();
      for (;;) {
        if (!this.group) writeOffset(this.poll, this.offset);
        await connection.send(this.poll.frame);
        this.check('PollMessages');
        const polled = this.polledCount();
        receivedCount += polled;
        receivedBytes += this.polledPayloadBytes(polled);
        if (this.group) stream.groupReadCount += polled;
        else this.offset += polled;
        // Pinned: poll until this batch is back (normally one poll). Group: one poll per cycle.
        if (this.group || this.offset >= stream.partitionWrittenCounts[this.partition!]! || run.failure !== undefined) break;
        if (polled === 0) {
          if (performance.now() - pollStartMs > STALL_TIMEOUT_MS) throw new BenchError(`producing consumer ${this.id}: its batch was not readable ${STALL_TIMEOUT_MS / 1000} s after it was acknowledged`);
          await sleep(1);
        }
      }
      this.recorder.record(receivedCount, receivedBytes, performance.now() - startMs);
      run.liveMessagesCount += receivedCount;
      run.livePayloadBytes += receivedBytes;
      if (run.phase === 'measure') this.progressDone += 1;
    }
    this.onSendingDone();
    if (this.group) await this.drainGroup();
  }

  /** Group members read what is left once every member has sent its last batch. */
  private async drainGroup(): Promise<void> {
    const run = this.options.run;
    const connection = this.connection;
    const stream = this.stream;
    const hardDeadlineMs = performance.now() + 30_000;
    for (;;) {
      if (run.failure !== undefined) return;
      if (run.writersFinished && stream.groupReadCount >= stream.writtenCount) return;
      if (performance.now() > hardDeadlineMs) throw new BenchError(`producing consumer ${this.id}: the group read ${stream.groupReadCount} of ${stream.writtenCount} messages within 30 s after sending`);
      await connection.send(this.poll.frame);
      this.check('PollMessages');
      const polled = this.polledCount();
      if (polled === 0) {
        await sleep(1);
        continue;
      }
      stream.groupReadCount += polled;
      const payloadBytes = this.polledPayloadBytes(polled);
      this.recorder.record(polled, payloadBytes, connection.latencyMs);
      run.liveMessagesCount += polled;
      run.livePayloadBytes += payloadBytes;
    }
  }
}
