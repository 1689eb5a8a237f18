/**
 * Constructors for the wire-level consumer of PollMessages and the offset commands (reference 2.3):
 * an individual consumer (kind 1) or a consumer group (kind 2).
 */
import { type Consumer, ConsumerKind, type Identifier } from '@iggy-ts/protocol';

/** An individual consumer (kind 1) with this id (default 0); a string id is hashed by the server. */
export function individualConsumer(id: Identifier = 0): Consumer {
  return { kind: ConsumerKind.Consumer, id };
}

/** A consumer-group consumer (kind 2) for the group with this id or name. */
export function groupConsumer(groupId: Identifier): Consumer {
  return { kind: ConsumerKind.ConsumerGroup, id: groupId };
}
