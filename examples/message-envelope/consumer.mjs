#!/usr/bin/env node
// Receives the envelopes sent by producer.mjs and routes them on their `message_type` header,
// as one consumer of a consumer group (--group) or as an individual consumer (--consumer-id).
//
//   node examples/message-envelope/consumer.mjs --group envelope-readers
import { connect, integerOption, interrupted, parseOptions, fail } from './common.mjs';

const NAME = 'consumer.mjs';
const values = parseOptions(NAME, 'Receives JSON envelopes and prints them by message_type.', {
  'consumer-id': { type: 'string', default: '1', description: 'individual consumer id (without --group)' },
  group: { type: 'string', description: 'consumer group name (joined, created when missing)' },
  strategy: { type: 'string', default: 'next', description: 'where to start: next | first | last' },
  'batch-size': { type: 'string', default: '100', description: 'messages per poll' },
});
const count = integerOption(NAME, values, 'count');
const partition = integerOption(NAME, values, 'partition');
const consumerId = integerOption(NAME, values, 'consumer-id');
const batchSize = integerOption(NAME, values, 'batch-size', { min: 1 });
if (!['next', 'first', 'last'].includes(values.strategy)) fail(NAME, `--strategy must be next, first or last, got ${values.strategy}`);
if (values.group !== undefined && values.strategy === 'last') fail(NAME, '--strategy last is not available with --group (a group resumes from its stored offsets)');
if (values.group !== undefined && partition !== undefined) fail(NAME, '--partition cannot be combined with --group (the server assigns partitions)');

/** One handler per envelope type; unknown types are reported, not fatal. */
const handlers = {
  order_created: (order) => `order ${order.order_id} created: ${order.side} ${order.quantity} ${order.currency_pair} @ ${order.price}`,
  order_confirmed: (order) => `order ${order.order_id} confirmed @ ${order.price}`,
  order_rejected: (order) => `order ${order.order_id} rejected: ${order.reason}`,
};

const { client, stream, topic } = await connect(values);
const consumer = client.consumer({
  stream: stream.id,
  topic: topic.id,
  ...(values.group !== undefined ? { group: values.group } : { consumerId, ...(partition === undefined ? {} : { partitionId: partition }) }),
  strategy: values.strategy,
  batchSize,
  autoCommit: 'after-message',
  onError: (error) => console.error(`${NAME}: commit failed: ${error.message}`),
});
void interrupted().then(() => consumer.close());
console.log(`${NAME}: reading stream "${stream.name}" topic "${topic.name}" as ${values.group !== undefined ? `group "${values.group}"` : `consumer ${consumerId}`}`);

let received = 0;
for await (const message of consumer) {
  const type = message.header('message_type');
  const envelope = message.json();
  const handle = handlers[type];
  const text = handle === undefined ? `unknown message type ${type}` : handle(envelope.payload);
  console.log(`[partition ${message.partitionId} offset ${message.offset}] ${type}: ${text}`);
  received += 1;
  if (count > 0 && received >= count) break;
}
await consumer.close();
console.log(`${NAME}: received ${received} messages`);
await client.close();
