/**
 * Messages as an application sees them: building outgoing messages from bytes, text or JSON with
 * typed user headers, and reading polled messages (typed headers, text, JSON).
 *
 * An outgoing {@link Message} encodes its user headers once, at construction, so a producer batch is
 * later written with a single allocation (encodeSendMessagesRequest). A {@link ReceivedMessage}
 * keeps views of the poll response (payload and header block are not copied) and decodes its
 * headers only when asked.
 */
import {
  type HeaderField,
  type PolledMessages,
  type SendMessage,
  type UserHeader,
  decodePollMessagesResponse,
  decodeUserHeaders,
  encodeUserHeaders,
  headerField,
  userHeadersByName,
} from '@iggy-ts/protocol';
import { idToUuidString, uuidV7 } from './uuid.js';

/**
 * Typed user-header values: `header.string('order')`, `header.uint32(1)`, `header.uint64(7n)`.
 * 8/16/32-bit integers and floats take a `number`, 64/128-bit integers a `bigint`.
 */
export const header = headerField;

/** A typed user-header value (a kind and its value), as made by {@link header}. */
export type HeaderValue = HeaderField;

/** User headers of a message: string keys to typed values, or a Map, or typed key/value pairs. */
export type HeadersInput = Readonly<Record<string, HeaderField>> | ReadonlyMap<string, HeaderField> | readonly UserHeader[];

/** Options of an outgoing message. */
export interface MessageOptions {
  /**
   * Message id (u128). `0n` or absent: the server assigns a random UUID v4. `'uuidv7'`: a new
   * time-ordered UUID v7 made here (see uuidV7).
   */
  id?: bigint | 'uuidv7';
  /** Typed user headers, e.g. `{ message_type: header.string('order') }`. */
  headers?: HeadersInput;
  /** Origin timestamp in µs since the Unix epoch; default `Date.now() * 1000`. */
  originTimestampUs?: number;
}

const EMPTY = Buffer.alloc(0);

/** Encodes user headers to the wire TLV block (empty buffer when there are none). */
export function encodeHeaders(headers: HeadersInput | undefined): Buffer {
  if (headers === undefined) return EMPTY;
  if (Array.isArray(headers) || headers instanceof Map) return encodeUserHeaders(headers as readonly UserHeader[] | ReadonlyMap<string, HeaderField>);
  const pairs: UserHeader[] = [];
  for (const key of Object.keys(headers)) pairs.push({ key: { kind: 2, value: key }, value: (headers as Record<string, HeaderField>)[key]! });
  return pairs.length === 0 ? EMPTY : encodeUserHeaders(pairs);
}

/** An outgoing message: payload bytes, encoded user headers, id and origin timestamp. */
export class Message implements SendMessage {
  /** u128 id; 0n lets the server assign one. */
  readonly id: bigint;
  /** Payload bytes (up to 64 000 000). */
  readonly payload: Uint8Array;
  /** Encoded user-header block (empty when there are none; up to 100 000 bytes). */
  readonly userHeaders: Buffer;
  /** µs since the Unix epoch. */
  readonly originTimestamp: number;

  constructor(payload: Uint8Array, options: MessageOptions = {}) {
    const id = options.id;
    this.id = id === undefined ? 0n : id === 'uuidv7' ? uuidV7() : id;
    this.payload = payload;
    this.userHeaders = encodeHeaders(options.headers);
    this.originTimestamp = options.originTimestampUs ?? Date.now() * 1000;
  }

  /** A message from bytes or text (UTF-8). */
  static from(payload: Uint8Array | string, options?: MessageOptions): Message {
    return new Message(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, options);
  }

  /** A message whose payload is `JSON.stringify(value)` in UTF-8. */
  static fromJson(value: unknown, options?: MessageOptions): Message {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('value is not JSON-serialisable');
    return new Message(Buffer.from(text, 'utf8'), options);
  }

  /** Size of this message on the wire in bytes: 64-byte header + payload + user headers. */
  get sizeBytes(): number {
    return 64 + this.payload.length + this.userHeaders.length;
  }
}

/**
 * What `send` accepts: a {@link Message}, raw bytes, text (UTF-8), or a protocol-level SendMessage
 * (`{ payload, id?, userHeaders?, originTimestamp? }`).
 */
export type MessageInput = Message | Uint8Array | string | SendMessage;

/** Normalises one input to a SendMessage with its origin timestamp set (µs, default now). */
export function toSendMessage(input: MessageInput): SendMessage {
  if (input instanceof Message) return input;
  if (typeof input === 'string' || input instanceof Uint8Array) return Message.from(input);
  if (input.originTimestamp !== undefined) return input;
  return { id: input.id ?? 0n, payload: input.payload, userHeaders: input.userHeaders ?? EMPTY, originTimestamp: Date.now() * 1000 };
}

/** Wire size of a normalised message in bytes (64 + payload + user headers). */
export function sendMessageSizeBytes(message: SendMessage): number {
  return 64 + message.payload.length + (message.userHeaders === undefined ? 0 : message.userHeaders.length);
}

/** Plain value of a typed header: string, boolean, number, bigint or bytes (Raw). */
export type HeaderPlainValue = string | boolean | number | bigint | Uint8Array;

/** A polled message. `payload` and `userHeaders` are views of the poll response. */
export class ReceivedMessage {
  private decodedHeaders: ReadonlyMap<string, HeaderField> | undefined;

  constructor(
    /** Partition the message was read from (0-based). */
    readonly partitionId: number,
    /** Offset within the partition. */
    readonly offset: number,
    /** u128 message id (see idToUuidString). */
    readonly id: bigint,
    /** Server append time, µs since the Unix epoch. */
    readonly timestamp: number,
    /** Producer-supplied time, µs since the Unix epoch (by convention; stored verbatim). */
    readonly originTimestamp: number,
    /** XXH3-64 checksum computed by the server. */
    readonly checksum: bigint,
    /** Payload bytes (a view of the response buffer). */
    readonly payload: Buffer,
    /** Raw user-header block (TLV); empty when none. */
    readonly userHeaders: Buffer,
  ) {}

  /** User headers with string keys, decoded on first access (typed values). */
  get headers(): ReadonlyMap<string, HeaderField> {
    if (this.decodedHeaders === undefined) {
      this.decodedHeaders = this.userHeaders.length === 0 ? new Map() : userHeadersByName(decodeUserHeaders(this.userHeaders));
    }
    return this.decodedHeaders;
  }

  /** Every header pair, including non-string keys, in wire order. */
  headerPairs(): UserHeader[] {
    return this.userHeaders.length === 0 ? [] : decodeUserHeaders(this.userHeaders);
  }

  /** The plain value of header `name`, or undefined. */
  header(name: string): HeaderPlainValue | undefined {
    return this.headers.get(name)?.value;
  }

  /** The payload as UTF-8 text. */
  text(): string {
    return this.payload.toString('utf8');
  }

  /** The payload parsed as JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.payload.toString('utf8')) as T;
  }

  /** The id formatted as a UUID string. */
  get uuid(): string {
    return idToUuidString(this.id);
  }
}

/** The answer to a poll: the partition actually read, its current offset and the messages. */
export interface PolledBatch {
  /** Partition the server read (for groups: the one it chose). */
  readonly partitionId: number;
  /** The partition's last offset (0 when empty). */
  readonly currentOffset: number;
  /** Number of messages returned. */
  readonly count: number;
  readonly messages: ReceivedMessage[];
}

/** Decodes a PollMessages response payload into {@link ReceivedMessage}s. */
export function decodePolledBatch(payload: Buffer): PolledBatch {
  const polled: PolledMessages = decodePollMessagesResponse(payload);
  const partitionId = polled.partitionId;
  const messages = new Array<ReceivedMessage>(polled.messages.length);
  for (let i = 0; i < messages.length; i += 1) {
    const m = polled.messages[i]!;
    messages[i] = new ReceivedMessage(partitionId, m.offset, m.id, m.timestamp, m.originTimestamp, m.checksum, m.payload, m.userHeaders);
  }
  return { partitionId, currentOffset: polled.currentOffset, count: polled.count, messages };
}
