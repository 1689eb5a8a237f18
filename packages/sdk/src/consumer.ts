/**
 * Consumer: polls one topic and hands out messages one by one as an async iterator
 * (`for await (const message of consumer)`), committing offsets as configured.
 *
 * Individual consumer (no `group`): reads `partitionId`, or every partition of the topic in turn.
 * The first poll of a partition uses `strategy`; later polls continue from the last polled
 * offset + 1, so delivery never repeats within a session whatever the commit mode.
 *
 * Group consumer (`group`): joins the group (creating it when missing) and polls without a
 * partition id: the server chooses among the partitions it assigned to this member (round robin)
 * and rebalances when members come and go. Polls use Next, i.e. they resume after the group's
 * stored offset on the chosen partition. When commits lag behind delivery (prefetch, 'never',
 * interval) the server answers with messages this consumer already polled; the consumer then
 * polls that partition explicitly from its last polled offset + 1, so it never repeats them.
 *
 * A message counts as processed when the iterator is asked for the next one (or the consumer is
 * closed). Auto-commit modes: 'after-poll' = the server stores the offset of the last message of
 * each poll (at most once); 'after-message' = the offset of each processed message is stored
 * (coalesced: at most one store in flight per partition); { intervalMs } = processed offsets are
 * stored periodically; 'never' = only `commit()` stores. On close, processed offsets are stored
 * (except with 'never') and the group is left.
 *
 * Memory is bounded: at most (prefetch + 1) batches of `batchSize` messages are held.
 *
 * With an `encryptor` (encryption.ts) each polled payload is decrypted before its batch is buffered;
 * a payload that cannot be decrypted fails the iterator with CannotDecryptData (72).
 */
import { ErrorCode, type Identifier, IggyError, type PollingStrategy, type Consumer as WireConsumer, pollingStrategy } from '@iggy-ts/protocol';
import type { IggyClient } from './client.js';
import { groupConsumer, individualConsumer } from './wire-consumer.js';
import { isRetriableError } from './errors.js';
import { ReceivedMessage } from './messages.js';
import type { Encryptor } from './encryption.js';

/** Where a consumer starts reading on each partition. */
export type ConsumerStrategy =
  /** After the stored offset of this consumer (or group); from the first message when none is stored. */
  | 'next'
  /** From the oldest message. */
  | 'first'
  /** The newest `batchSize` messages, then onwards. */
  | 'last'
  /** From this offset. */
  | { readonly offset: number }
  /** From the first message appended at or after this time (µs since the Unix epoch). */
  | { readonly timestamp: number };

/** When offsets are stored on the server. */
export type AutoCommit = 'never' | 'after-poll' | 'after-message' | { readonly intervalMs: number };

/** Options of {@link Consumer}. */
export interface ConsumerOptions {
  /** Stream id or name. */
  stream: Identifier;
  /** Topic id or name. */
  topic: Identifier;
  /** Individual consumer only: read just this partition (default: every partition in turn). */
  partitionId?: number;
  /** Consumer-group name: join it (creating it when missing) and read the partitions the server assigns. */
  group?: string;
  /** Create the group when it does not exist (default true). */
  createGroup?: boolean;
  /** Individual consumer id (number, or a string the server hashes); default 0. Ignored with `group`. */
  consumerId?: Identifier;
  /** Start position (default 'next'). Groups accept 'next' and 'first', both meaning: after the group's stored offset, from the oldest message when none. */
  strategy?: ConsumerStrategy;
  /** Most messages per poll (default 100). */
  batchSize?: number;
  /** Pause in ms before polling again once every partition came back empty (default 100). */
  pollIntervalMs?: number;
  /** Offset commit mode (default 'after-message'). */
  autoCommit?: AutoCommit;
  /**
   * Batches polled ahead of the one being consumed (default 1; 0 = poll only when empty). In a
   * group, messages polled ahead of a rebalance may also be delivered to the partition's new owner
   * when the server hands partitions over on the next poll rather than on commit: use 0 where a
   * rebalance must not repeat messages.
   */
  prefetch?: number;
  /** Pause in ms before polling again after a connection error or timeout (default 200). */
  retryDelayMs?: number;
  /** Called when an automatic commit fails (the consumer keeps going). */
  onError?: (error: Error) => void;
  /**
   * Decrypts every polled payload before it is handed out (the encryptor the producer used). A
   * payload it cannot open makes the iterator throw IggyError CannotDecryptData (72).
   */
  encryptor?: Encryptor;
}

/** Offsets known for one partition in this session. */
interface PartitionState {
  readonly partitionId: number;
  /** Highest offset polled into the buffer, or -1: the next poll of this partition starts after it. */
  polled: number;
  /** Offset of the last processed message, or -1. */
  processed: number;
  /** Offset last stored by this consumer, or -1. */
  committed: number;
  /** Offset waiting to be stored (coalesced), or -1. */
  commitWanted: number;
  committing: Promise<void> | undefined;
}

function toPollingStrategy(strategy: ConsumerStrategy): PollingStrategy {
  if (strategy === 'next') return pollingStrategy.next();
  if (strategy === 'first') return pollingStrategy.first();
  if (strategy === 'last') return pollingStrategy.last();
  if ('offset' in strategy) return pollingStrategy.offset(strategy.offset);
  return pollingStrategy.timestamp(strategy.timestamp);
}

/** A polling consumer for one topic; make one with `client.consumer(options)`. */
export class Consumer implements AsyncIterable<ReceivedMessage>, AsyncIterator<ReceivedMessage> {
  private readonly streamId: Identifier;
  private readonly topicId: Identifier;
  private readonly groupName: string | undefined;
  private readonly createGroup: boolean;
  private readonly fixedPartitionId: number | undefined;
  private readonly strategy: PollingStrategy;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly autoCommit: AutoCommit;
  private readonly prefetch: number;
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly encryptor: Encryptor | undefined;
  private wireConsumer: WireConsumer;
  private groupId: number | undefined;

  private starting: Promise<void> | undefined;
  private partitions: number[] = [];
  private nextPartitionIndex = 0;
  private roundSize = 1;
  private consecutiveEmptyPolls = 0;
  private readonly states = new Map<number, PartitionState>();
  /** Polled batches not yet handed out; the first one is being consumed from `batchIndex`. */
  private readonly batches: ReceivedMessage[][] = [];
  private batchIndex = 0;
  private polling: Promise<void> | undefined;
  private failure: Error | undefined;
  private lastDelivered: ReceivedMessage | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly sleepers = new Set<() => void>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    /** The client whose connection the consumer polls through. */
    readonly client: IggyClient,
    options: ConsumerOptions,
  ) {
    this.streamId = options.stream;
    this.topicId = options.topic;
    this.groupName = options.group;
    this.createGroup = options.createGroup ?? true;
    this.fixedPartitionId = options.partitionId;
    const strategy = options.strategy ?? 'next';
    if (this.groupName !== undefined && strategy !== 'next' && strategy !== 'first') {
      throw new IggyError(ErrorCode.InvalidConfiguration, `a group consumer resumes from the group's stored offsets: strategy must be 'next' or 'first'`);
    }
    if (this.groupName !== undefined && options.partitionId !== undefined) {
      throw new IggyError(ErrorCode.InvalidConfiguration, 'a group consumer reads the partitions the server assigns: partitionId cannot be set');
    }
    this.strategy = this.groupName !== undefined ? pollingStrategy.next() : toPollingStrategy(strategy);
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.pollIntervalMs = Math.max(0, options.pollIntervalMs ?? 100);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 200);
    this.autoCommit = options.autoCommit ?? 'after-message';
    this.prefetch = Math.max(0, options.prefetch ?? 1);
    this.onError = options.onError;
    this.encryptor = options.encryptor;
    this.wireConsumer = individualConsumer(options.consumerId ?? 0);
  }

  /** The wire consumer used for polls and offsets (kind 1 with the consumer id, or kind 2 with the group id once started). */
  get consumer(): WireConsumer {
    return this.wireConsumer;
  }

  /** Numeric id of the joined group, once started. */
  get consumerGroupId(): number | undefined {
    return this.groupId;
  }

  /** Joins the group / reads the topic's partitions. Called by the first `next()`; idempotent. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const topicRequest = { streamId: this.streamId, topicId: this.topicId };
    const topic = await this.client.getTopic(topicRequest);
    if (topic === undefined) throw new IggyError(ErrorCode.TopicNameNotFound, `topic ${String(this.topicId)} not found in stream ${String(this.streamId)}`);
    if (this.groupName !== undefined) {
      const lookup = { ...topicRequest, groupId: this.groupName };
      const group = this.createGroup ? await this.client.ensureConsumerGroup({ ...topicRequest, name: this.groupName }) : await this.client.getConsumerGroup(lookup);
      if (group === undefined) throw new IggyError(ErrorCode.ConsumerGroupNameNotFound, `consumer group ${this.groupName} not found`);
      this.groupId = group.id;
      this.wireConsumer = groupConsumer(group.id);
      await this.client.joinConsumerGroup({ ...topicRequest, groupId: group.id });
      this.roundSize = Math.max(1, topic.partitionsCount);
    } else if (this.fixedPartitionId !== undefined) {
      this.partitions = [this.fixedPartitionId];
    } else {
      this.partitions = topic.partitions.map((partition) => partition.id);
      if (this.partitions.length === 0) this.partitions = [0];
      this.roundSize = this.partitions.length;
    }
    if (typeof this.autoCommit === 'object') {
      this.commitTimer = setInterval(() => this.commitProcessed(), Math.max(1, this.autoCommit.intervalMs));
      this.commitTimer.unref();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    return this;
  }

  /** The next message; waits (polling every pollIntervalMs) when caught up. Done once closed. */
  async next(): Promise<IteratorResult<ReceivedMessage>> {
    if (this.closed) return { done: true, value: undefined };
    await this.start();
    this.markProcessed();
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const message = this.takeBuffered();
      if (message !== undefined) {
        this.lastDelivered = message;
        this.prefetchAhead();
        return { done: false, value: message };
      }
      if (this.failure !== undefined) {
        const failure = this.failure;
        this.failure = undefined;
        throw failure;
      }
      await this.fill();
    }
  }

  /** Called by `for await` on break/throw: closes the consumer. */
  async return(): Promise<IteratorResult<ReceivedMessage>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Stores `message.offset` for its partition now (for the group, or for this consumer id). */
  async commit(message: ReceivedMessage): Promise<void> {
    await this.storeOffset(message.partitionId, message.offset);
  }

  /** Stores `offset` (the last processed message) for a partition now. */
  async storeOffset(partitionId: number, offset: number): Promise<void> {
    await this.start();
    await this.client.storeConsumerOffset({ consumer: this.wireConsumer, streamId: this.streamId, topicId: this.topicId, partitionId, offset });
    const state = this.state(partitionId);
    if (offset > state.committed) state.committed = offset;
  }

  /** Stops polling, stores processed offsets (unless autoCommit is 'never'), leaves the group. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleepers) wake();
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    await this.polling?.catch(() => undefined);
    if (this.starting === undefined) return;
    const started = await this.starting.then(
      () => true,
      () => false,
    );
    if (!started) return;
    if (this.autoCommit !== 'never' && this.autoCommit !== 'after-poll') {
      this.markProcessed();
      this.commitProcessed();
    }
    await Promise.all([...this.states.values()].map((state) => state.committing));
    if (this.groupId !== undefined) {
      await this.client.leaveConsumerGroup({ streamId: this.streamId, topicId: this.topicId, groupId: this.groupId }).catch(() => undefined);
    }
  }

  private state(partitionId: number): PartitionState {
    let state = this.states.get(partitionId);
    if (state === undefined) {
      state = { partitionId, polled: -1, processed: -1, committed: -1, commitWanted: -1, committing: undefined };
      this.states.set(partitionId, state);
    }
    return state;
  }

  private takeBuffered(): ReceivedMessage | undefined {
    while (this.batches.length > 0) {
      const batch = this.batches[0]!;
      if (this.batchIndex < batch.length) return batch[this.batchIndex++];
      this.batches.shift();
      this.batchIndex = 0;
    }
    return undefined;
  }

  /** The previously delivered message is processed: advance its partition (and commit after-message). */
  private markProcessed(): void {
    const message = this.lastDelivered;
    if (message === undefined) return;
    this.lastDelivered = undefined;
    const state = this.state(message.partitionId);
    if (message.offset > state.processed) state.processed = message.offset;
    if (this.autoCommit === 'after-message') this.scheduleCommit(state, message.offset);
  }

  private commitProcessed(): void {
    for (const state of this.states.values()) if (state.processed > state.committed) this.scheduleCommit(state, state.processed);
  }

  /** Coalesced store: at most one StoreConsumerOffset in flight per partition, then the newest wanted offset. */
  private scheduleCommit(state: PartitionState, offset: number): void {
    if (offset <= state.committed || offset <= state.commitWanted) return;
    state.commitWanted = offset;
    if (state.committing !== undefined) return;
    state.committing = (async () => {
      while (state.commitWanted > state.committed) {
        const wanted = state.commitWanted;
        state.commitWanted = -1;
        try {
          await this.client.storeConsumerOffset({ consumer: this.wireConsumer, streamId: this.streamId, topicId: this.topicId, partitionId: state.partitionId, offset: wanted });
          if (wanted > state.committed) state.committed = wanted;
        } catch (error) {
          // 3022 / 5006: the partition moved to another member (or we left); its new owner carries on.
          const moved = error instanceof IggyError && (error.code === ErrorCode.NotResolvedConsumer || error.code === ErrorCode.ConsumerGroupMemberNotFound);
          if (!moved) this.onError?.(error as Error);
          break;
        }
      }
      state.committing = undefined;
    })();
  }

  /** Waits until no commit is in flight or waiting. */
  private async settleCommits(): Promise<void> {
    for (;;) {
      let pending: Promise<void> | undefined;
      for (const state of this.states.values()) if (state.committing !== undefined) pending = state.committing;
      if (pending === undefined) return;
      await pending;
    }
  }

  /** Starts a poll ahead when fewer than `prefetch` full batches wait behind the current one. */
  private prefetchAhead(): void {
    if (this.polling !== undefined || this.closed || this.failure !== undefined) return;
    const waitingBatches = this.batches.length - 1;
    if (waitingBatches >= this.prefetch) return;
    this.startPoll();
  }

  private fill(): Promise<void> {
    if (this.polling === undefined) this.startPoll();
    return this.polling!;
  }

  private startPoll(): void {
    const polling = this.pollStep().then(
      () => undefined,
      (error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
      },
    );
    this.polling = polling.finally(() => {
      if (this.polling === tracked) this.polling = undefined;
    });
    const tracked = this.polling;
  }

  /** One poll; sleeps pollIntervalMs after a full round of empty polls, retryDelayMs after a connection error. */
  private async pollStep(): Promise<void> {
    let messages: ReceivedMessage[];
    try {
      messages = await this.pollOnce();
      if (this.encryptor !== undefined) messages = this.decrypted(messages, this.encryptor);
    } catch (error) {
      if (this.closed) return;
      if (error instanceof IggyError && error.code === ErrorCode.ConsumerGroupMemberNotFound && this.groupId !== undefined) {
        // Membership lost (e.g. the server restarted and the client has not re-joined yet): join again.
        await this.client.joinConsumerGroup({ streamId: this.streamId, topicId: this.topicId, groupId: this.groupId }).catch(() => undefined);
        await this.sleep(this.retryDelayMs);
        return;
      }
      if (!isRetriableError(error)) throw error;
      await this.sleep(this.retryDelayMs);
      return;
    }
    if (this.closed) return;
    if (messages.length > 0) {
      this.consecutiveEmptyPolls = 0;
      const last = messages[messages.length - 1]!;
      const state = this.state(last.partitionId);
      if (last.offset > state.polled) state.polled = last.offset;
      this.batches.push(messages);
      return;
    }
    this.consecutiveEmptyPolls += 1;
    if (this.consecutiveEmptyPolls >= this.roundSize) {
      this.consecutiveEmptyPolls = 0;
      await this.sleep(this.pollIntervalMs);
    }
  }

  private async pollOnce(): Promise<ReceivedMessage[]> {
    const autoCommit = this.autoCommit === 'after-poll';
    const base = { consumer: this.wireConsumer, streamId: this.streamId, topicId: this.topicId, count: this.batchSize, autoCommit };
    if (this.groupId !== undefined) {
      // Stored offsets must reach the server before the next poll: a poll may let the server move a
      // partition this member is losing to another member, which then resumes from the stored offset.
      await this.settleCommits();
      const batch = await this.client.pollMessages({ ...base, partitionId: undefined, strategy: this.strategy });
      if (batch.messages.length === 0) return batch.messages;
      const state = this.state(batch.partitionId);
      if (batch.messages[0]!.offset > state.polled) return batch.messages;
      // Commits lag behind polls: continue explicitly after what this consumer already polled.
      const explicit = await this.client.pollMessages({ ...base, partitionId: batch.partitionId, strategy: pollingStrategy.offset(state.polled + 1) });
      return explicit.partitionId === batch.partitionId ? explicit.messages.filter((message) => message.offset > state.polled) : [];
    }
    const partitionId = this.partitions[this.nextPartitionIndex]!;
    this.nextPartitionIndex = (this.nextPartitionIndex + 1) % this.partitions.length;
    const state = this.state(partitionId);
    const strategy = state.polled < 0 ? this.strategy : pollingStrategy.offset(state.polled + 1);
    const batch = await this.client.pollMessages({ ...base, partitionId, strategy });
    return state.polled < 0 ? batch.messages : batch.messages.filter((message) => message.offset > state.polled);
  }

  /** The messages with their payloads decrypted (throws CannotDecryptData for one that cannot be opened). */
  private decrypted(messages: ReceivedMessage[], encryptor: Encryptor): ReceivedMessage[] {
    const result = new Array<ReceivedMessage>(messages.length);
    for (let i = 0; i < messages.length; i += 1) {
      const m = messages[i]!;
      result[i] = new ReceivedMessage(m.partitionId, m.offset, m.id, m.timestamp, m.originTimestamp, m.checksum, encryptor.decrypt(m.payload), m.userHeaders);
    }
    return result;
  }

  private sleep(delayMs: number): Promise<void> {
    if (this.closed || delayMs === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      this.sleepers.add(wake);
    });
  }
}
