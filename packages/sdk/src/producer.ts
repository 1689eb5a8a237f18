/**
 * Producer: batches messages for one topic and sends them with SendMessages.
 *
 * Messages accumulate in pending batches (one per partitioning key) until a batch is full
 * (`batchMaxMessages` or `batchMaxBytes`), `lingerMs` has passed since the first pending message,
 * or `flush()` is called. At most `maxInFlightBatches` batches wait for their acknowledgement at
 * once. Memory is bounded: the pending batches together hold at most one batch worth of messages
 * (`batchMaxMessages`, `batchMaxBytes`); when they are full and every in-flight slot is taken,
 * `send` waits, so the producer holds at most (maxInFlightBatches + 1) batches. Sends are admitted
 * in call order, so the messages of one producer keep their order per partition when
 * maxInFlightBatches is 1.
 *
 * Each batch is encoded with one allocation (encodeSendMessagesRequest) when it is sent. Batches
 * that fail with a connection error or a timeout are sent again up to `sendRetries` times after
 * the client has reconnected: delivery is at least once (give messages ids, e.g.
 * `messageIds: 'uuidv7'`, and enable server deduplication to drop duplicates).
 *
 * With an `encryptor` (encryption.ts) each payload is encrypted as it is admitted, before batching;
 * user headers stay in clear and batch sizes count the encrypted payload.
 */
import { type Identifier, IggyError, ErrorCode, type Partitioning, type SendMessage, balanced, encodeSendMessagesRequest, messagesKey, partitionId as partitionIdPartitioning, CommandCode } from '@iggy-ts/protocol';
import type { IggyClient } from './client.js';
import { isRetriableError } from './errors.js';
import { type MessageInput, sendMessageSizeBytes, toSendMessage } from './messages.js';
import type { Encryptor } from './encryption.js';
import { uuidV7 } from './uuid.js';

/** How a producer picks partitions. */
export type ProducerPartitioning =
  /** Server round robin, one partition per batch. */
  | 'balanced'
  /** Always this partition (0-based). */
  | { readonly partitionId: number }
  /**
   * A key per message; the server sends equal keys to the same partition (XXH32 of the key modulo
   * the partitions count). Strings are UTF-8, numbers u32 LE, bigints u64 LE; 1..=255 bytes.
   */
  | { readonly key: (message: MessageInput) => Uint8Array | string | number | bigint };

/** Options of {@link Producer}. */
export interface ProducerOptions {
  /** Stream id or name. */
  stream: Identifier;
  /** Topic id or name. */
  topic: Identifier;
  /** Partition choice (default 'balanced'). */
  partitioning?: ProducerPartitioning;
  /** Most messages in one batch, and in all pending batches together (default 1000). */
  batchMaxMessages?: number;
  /** Most bytes (64-byte header + payload + headers per message) in one batch, and pending in all (default 1 MiB). A larger single message is sent alone. */
  batchMaxBytes?: number;
  /** Longest wait in ms between the first pending message and sending its batch (default 5; 0 = next tick). */
  lingerMs?: number;
  /** Batches awaiting acknowledgement at once (default 1). */
  maxInFlightBatches?: number;
  /**
   * false (default): `send` resolves when the batch holding its messages is acknowledged (and
   * rejects when it fails). true: `send` resolves once its messages are buffered; failures go to
   * `onError` and make the next `flush()`/`close()` reject.
   */
  background?: boolean;
  /** Extra attempts for a batch that failed with a connection error or a timeout (default 3). */
  sendRetries?: number;
  /** Delay in ms before the first retry of a batch; doubles with each retry (default 100). */
  retryDelayMs?: number;
  /** Ids for messages without one: 'server' (default: the server assigns a random UUID v4) or 'uuidv7' (made here). */
  messageIds?: 'server' | 'uuidv7';
  /** Background mode: called once per failed batch with the error and the number of messages lost. */
  onError?: (error: Error, messagesCount: number) => void;
  /**
   * Encrypts every payload before it is batched (e.g. `new AesGcmEncryptor(key)`); user headers
   * stay in clear. Read with a Consumer given the same encryptor.
   */
  encryptor?: Encryptor;
}

/** Counters of a producer, for monitoring and tests. */
export interface ProducerStats {
  /** Messages waiting in pending batches. */
  readonly pendingMessages: number;
  /** Bytes waiting in pending batches (wire size). */
  readonly pendingBytes: number;
  /** Batches sent and not yet acknowledged. */
  readonly inFlightBatches: number;
  /** `send` calls waiting for room in the buffer. */
  readonly waitingSends: number;
  /** Batches acknowledged so far. */
  readonly sentBatches: number;
  /** Messages acknowledged so far. */
  readonly sentMessages: number;
  /** Batches that failed for good. */
  readonly failedBatches: number;
  /** Largest number of messages ever held (pending + in flight). */
  readonly heldMessagesMax: number;
}

/** One `send` call waiting for the acknowledgement of its batches. */
interface Ticket {
  /** Batches holding some of its messages and not yet acknowledged. */
  batchesLeft: number;
  admitted: boolean;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

/** One `send` call waiting for room in the buffer. */
interface Admission {
  readonly inputs: readonly MessageInput[];
  index: number;
  readonly ticket: Ticket;
}

class PendingBatch {
  readonly messages: SendMessage[] = [];
  readonly tickets: Ticket[] = [];
  sizeBytes = 0;
  constructor(
    readonly key: string,
    readonly partitioning: Partitioning,
  ) {}
}

const BALANCED_KEY = '\u0000balanced';
/** Background failures remembered for the next flush (the rest are only counted and reported to onError). */
const BACKGROUND_ERRORS_KEPT_MAX = 100;

function settle(ticket: Ticket, error?: Error): void {
  if (ticket.settled) return;
  if (error !== undefined) {
    ticket.settled = true;
    ticket.reject(error);
  } else if (ticket.admitted && ticket.batchesLeft === 0) {
    ticket.settled = true;
    ticket.resolve();
  }
}

/** A batching producer for one topic; make one with `client.producer(options)`. */
export class Producer {
  private readonly streamId: Identifier;
  private readonly topicId: Identifier;
  private readonly batchMaxMessages: number;
  private readonly batchMaxBytes: number;
  private readonly lingerMs: number;
  private readonly maxInFlightBatches: number;
  private readonly background: boolean;
  private readonly sendRetries: number;
  private readonly retryDelayMs: number;
  private readonly uuidIds: boolean;
  private readonly onError: ((error: Error, messagesCount: number) => void) | undefined;
  private readonly encryptor: Encryptor | undefined;
  private readonly fixedPartitioning: Partitioning | undefined;
  private readonly keyOf: ((message: MessageInput) => Uint8Array | string | number | bigint) | undefined;

  /** Pending batches by partitioning key, oldest first (Map keeps insertion order). */
  private readonly pending = new Map<string, PendingBatch>();
  private pendingMessages = 0;
  private pendingBytes = 0;
  private inFlightBatches = 0;
  private inFlightMessages = 0;
  private readonly admissions: Admission[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerExpired = false;
  private flushing = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private backgroundErrors: Error[] = [];
  private sentBatches = 0;
  private sentMessages = 0;
  private failedBatches = 0;
  private heldMessagesMax = 0;

  constructor(
    /** The client whose connection the producer sends through. */
    readonly client: IggyClient,
    options: ProducerOptions,
  ) {
    this.streamId = options.stream;
    this.topicId = options.topic;
    this.batchMaxMessages = positiveInteger(options.batchMaxMessages ?? 1000, 'batchMaxMessages');
    this.batchMaxBytes = positiveInteger(options.batchMaxBytes ?? 1024 * 1024, 'batchMaxBytes');
    this.lingerMs = Math.max(0, options.lingerMs ?? 5);
    this.maxInFlightBatches = positiveInteger(options.maxInFlightBatches ?? 1, 'maxInFlightBatches');
    this.background = options.background ?? false;
    this.sendRetries = Math.max(0, options.sendRetries ?? 3);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);
    this.uuidIds = options.messageIds === 'uuidv7';
    this.onError = options.onError;
    this.encryptor = options.encryptor;
    const partitioning = options.partitioning ?? 'balanced';
    if (partitioning === 'balanced') this.fixedPartitioning = balanced();
    else if ('partitionId' in partitioning) this.fixedPartitioning = partitionIdPartitioning(partitioning.partitionId);
    else this.keyOf = partitioning.key;
  }

  /** Current counters. */
  get stats(): ProducerStats {
    return {
      pendingMessages: this.pendingMessages,
      pendingBytes: this.pendingBytes,
      inFlightBatches: this.inFlightBatches,
      waitingSends: this.admissions.length,
      sentBatches: this.sentBatches,
      sentMessages: this.sentMessages,
      failedBatches: this.failedBatches,
      heldMessagesMax: this.heldMessagesMax,
    };
  }

  /**
   * Queues one message or several (kept in order). Resolves when every batch holding them is
   * acknowledged (or, with `background`, when they are buffered). Waits while the buffer is full.
   */
  send(messages: MessageInput | readonly MessageInput[]): Promise<void> {
    if (this.closed) return Promise.reject(new IggyError(ErrorCode.CannotSendMessagesDueToClientDisconnection, 'producer is closed'));
    const inputs = Array.isArray(messages) ? (messages as readonly MessageInput[]) : [messages as MessageInput];
    if (inputs.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { batchesLeft: 0, admitted: false, settled: false, resolve, reject };
      this.admissions.push({ inputs, index: 0, ticket });
      this.pump();
    });
  }

  /** Sends every buffered message now and resolves when all are acknowledged; rejects with a background failure, if any. */
  async flush(): Promise<void> {
    this.flushing += 1;
    try {
      this.pump();
      if (!this.idle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushing -= 1;
    }
    if (this.backgroundErrors.length > 0) {
      const errors = this.backgroundErrors;
      this.backgroundErrors = [];
      throw errors.length === 1 ? errors[0]! : new AggregateError(errors, `${errors.length} batches failed`);
    }
  }

  /** Flushes, then refuses further sends. The client stays open. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private get idle(): boolean {
    return this.admissions.length === 0 && this.pendingMessages === 0 && this.inFlightBatches === 0;
  }

  /** Admits waiting sends as room allows, dispatches due batches, arms the linger timer. */
  private pump(): void {
    this.admit();
    this.dispatchDue();
    if (this.pendingMessages > 0 && this.lingerTimer === undefined && !this.lingerExpired) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.lingerExpired = true;
        this.pump();
      }, this.lingerMs);
    }
    if (this.idle && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private admit(): void {
    const admissions = this.admissions;
    while (admissions.length > 0) {
      const admission = admissions[0]!;
      const ticket = admission.ticket;
      while (admission.index < admission.inputs.length) {
        if (ticket.settled) {
          admission.index = admission.inputs.length; // failed while waiting: drop the rest
          break;
        }
        const input = admission.inputs[admission.index]!;
        let message: SendMessage;
        let key: string;
        let partitioning: Partitioning;
        try {
          message = this.prepare(input);
          if (this.fixedPartitioning !== undefined) {
            key = BALANCED_KEY;
            partitioning = this.fixedPartitioning;
          } else {
            partitioning = messagesKey(this.keyOf!(input));
            key = partitioning.value.toString('latin1');
          }
        } catch (error) {
          settle(ticket, error as Error);
          continue;
        }
        const sizeBytes = sendMessageSizeBytes(message);
        if (this.pendingMessages > 0 && (this.pendingMessages + 1 > this.batchMaxMessages || this.pendingBytes + sizeBytes > this.batchMaxBytes)) {
          // Full: make room by sending the oldest pending batch, or wait for an in-flight slot.
          if (this.inFlightBatches >= this.maxInFlightBatches) return;
          this.dispatch(this.pending.values().next().value!);
          continue;
        }
        let batch = this.pending.get(key);
        if (batch === undefined) {
          batch = new PendingBatch(key, partitioning);
          this.pending.set(key, batch);
        }
        batch.messages.push(message);
        batch.sizeBytes += sizeBytes;
        this.pendingMessages += 1;
        this.pendingBytes += sizeBytes;
        const held = this.pendingMessages + this.inFlightMessages;
        if (held > this.heldMessagesMax) this.heldMessagesMax = held;
        if (!this.background && batch.tickets[batch.tickets.length - 1] !== ticket) {
          batch.tickets.push(ticket);
          ticket.batchesLeft += 1;
        }
        admission.index += 1;
        if (this.isFull(batch) && this.inFlightBatches < this.maxInFlightBatches) this.dispatch(batch);
      }
      admissions.shift();
      ticket.admitted = true;
      if (this.background) {
        ticket.batchesLeft = 0;
      }
      settle(ticket);
    }
  }

  private prepare(input: MessageInput): SendMessage {
    const message = toSendMessage(input);
    const newId = this.uuidIds && (message.id === undefined || message.id === 0n);
    if (!newId && this.encryptor === undefined) return message;
    return {
      id: newId ? uuidV7() : message.id,
      payload: this.encryptor === undefined ? message.payload : this.encryptor.encrypt(message.payload),
      userHeaders: message.userHeaders,
      originTimestamp: message.originTimestamp,
    };
  }

  private isFull(batch: PendingBatch): boolean {
    return batch.messages.length >= this.batchMaxMessages || batch.sizeBytes >= this.batchMaxBytes;
  }

  private dispatchDue(): void {
    if (this.pending.size === 0) return;
    const all = this.lingerExpired || this.flushing > 0 || this.lingerMs === 0;
    for (const batch of [...this.pending.values()]) {
      if (this.inFlightBatches >= this.maxInFlightBatches) return;
      if (all || this.isFull(batch)) this.dispatch(batch);
    }
  }

  private dispatch(batch: PendingBatch): void {
    this.pending.delete(batch.key);
    this.pendingMessages -= batch.messages.length;
    this.pendingBytes -= batch.sizeBytes;
    if (this.pendingMessages === 0) {
      if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.lingerExpired = false;
    }
    this.inFlightBatches += 1;
    this.inFlightMessages += batch.messages.length;
    this.sendBatch(batch).then(
      () => this.complete(batch, undefined),
      (error: unknown) => this.complete(batch, error instanceof Error ? error : new Error(String(error))),
    );
  }

  private async sendBatch(batch: PendingBatch): Promise<void> {
    // One allocation for the whole batch; kept across retries.
    const payload = encodeSendMessagesRequest({ streamId: this.streamId, topicId: this.topicId, partitioning: batch.partitioning, messages: batch.messages });
    let delayMs = this.retryDelayMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.client.rawRequest(CommandCode.SendMessages, payload);
        return;
      } catch (error) {
        if (attempt >= this.sendRetries || !isRetriableError(error) || this.client.closed) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs *= 2;
      }
    }
  }

  private complete(batch: PendingBatch, error: Error | undefined): void {
    this.inFlightBatches -= 1;
    this.inFlightMessages -= batch.messages.length;
    if (error === undefined) {
      this.sentBatches += 1;
      this.sentMessages += batch.messages.length;
      for (const ticket of batch.tickets) {
        ticket.batchesLeft -= 1;
        settle(ticket);
      }
    } else {
      this.failedBatches += 1;
      if (this.background) {
        if (this.backgroundErrors.length < BACKGROUND_ERRORS_KEPT_MAX) this.backgroundErrors.push(error);
        this.onError?.(error, batch.messages.length);
      }
      for (const ticket of batch.tickets) settle(ticket, error);
    }
    this.pump();
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new IggyError(ErrorCode.InvalidConfiguration, `${name} must be a positive integer, got ${value}`);
  return value;
}
