/**
 * Consumer (reference 2.3) and optional partition id (reference 2.4), shared by PollMessages and the
 * consumer-offset commands.
 *
 *   Consumer: [kind:u8 (1 consumer, 2 consumer group)][id:Id]
 *   OptPart:  [present:u8 (1 = present, anything else = absent)][partition_id:u32 LE] — always 5 bytes
 */
import type { Identifier } from './identifier.js';
import { Reader, Writer, badDiscriminant, identifierSize } from './reader.js';
import { ErrorCode, IggyError } from './errors.js';

export const ConsumerKind = { Consumer: 1, ConsumerGroup: 2 } as const;
export type ConsumerKindValue = (typeof ConsumerKind)[keyof typeof ConsumerKind];

/** kind 1 = individual consumer (a string id is hashed to a number by the server), kind 2 = consumer group. */
export interface Consumer {
  readonly kind: ConsumerKindValue;
  readonly id: Identifier;
}

/** Node's `Consumer.Single`. */
export const SINGLE_CONSUMER: Consumer = { kind: ConsumerKind.Consumer, id: 0 };

export const OPTIONAL_PARTITION_SIZE_BYTES = 5;

export function consumerSize(consumer: Consumer): number {
  return 1 + identifierSize(consumer.id);
}

export function writeConsumer(writer: Writer, consumer: Consumer): void {
  if (consumer.kind !== 1 && consumer.kind !== 2) throw new IggyError(ErrorCode.InvalidFormat, `consumer kind must be 1 or 2, got ${String(consumer.kind)}`);
  writer.u8(consumer.kind).id(consumer.id, 'consumer id');
}

/** Unknown kind → 3 (reference 1.8). */
export function readConsumer(reader: Reader): Consumer {
  const at = reader.offset;
  const kind = reader.u8('consumer kind');
  if (kind !== 1 && kind !== 2) throw badDiscriminant('consumer kind', at, kind);
  return { kind, id: reader.id('consumer id') };
}

/** Writes OptPart: `undefined` → `00 00 00 00 00`. */
export function writeOptionalPartition(writer: Writer, partitionId: number | undefined): void {
  if (partitionId === undefined) writer.u8(0).u32(0);
  else writer.u8(1).u32(partitionId, 'partition id');
}

/** Reads OptPart: present only when the flag is exactly 1. */
export function readOptionalPartition(reader: Reader): number | undefined {
  const present = reader.u8('partition flag');
  const partitionId = reader.u32('partition id');
  return present === 1 ? partitionId : undefined;
}
