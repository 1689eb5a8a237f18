#!/usr/bin/env node
// Sends typed JSON envelopes { type, payload } with a `message_type` user header, at a given rate,
// through the SDK's batching Producer. Creates the stream and topic when missing.
//
//   node examples/message-envelope/producer.mjs --address 127.0.0.1:8090 --rate 100 --count 1000
import { Message } from '@iggy-ts/sdk';
import { MESSAGE_TYPES, connect, envelopeHeaders, integerOption, interrupted, numberOption, parseOptions } from './common.mjs';

const NAME = 'producer.mjs';
const values = parseOptions(NAME, 'Sends JSON envelopes { type, payload } with a message_type header.', {
  'message-size': { type: 'string', default: '0', description: 'pad each payload to about this many bytes (0 = no padding)' },
  rate: { type: 'string', default: '10', description: 'messages per second' },
});
const count = integerOption(NAME, values, 'count');
const partition = integerOption(NAME, values, 'partition');
const messageSize = integerOption(NAME, values, 'message-size');
const rate = numberOption(NAME, values, 'rate');

/** A sample body for each envelope type. */
function body(type, index) {
  const orderId = index + 1;
  if (type === 'order_created') return { order_id: orderId, currency_pair: 'EUR/USD', price: 1.08 + (index % 10) / 1000, quantity: 1 + (index % 5), side: index % 2 === 0 ? 'buy' : 'sell' };
  if (type === 'order_confirmed') return { order_id: orderId, price: 1.08 };
  return { order_id: orderId, reason: 'cancelled_by_user' };
}

function envelope(index) {
  const type = MESSAGE_TYPES[index % MESSAGE_TYPES.length];
  const value = { type, payload: body(type, index) };
  const size = Buffer.byteLength(JSON.stringify(value));
  if (messageSize > size) value.payload.padding = 'x'.repeat(messageSize - size - 14); // 14 = ,"padding":""
  return Message.fromJson(value, { headers: envelopeHeaders(type) });
}

const { client, stream, topic } = await connect(values);
const producer = client.producer({
  stream: stream.id,
  topic: topic.id,
  partitioning: partition === undefined ? 'balanced' : { partitionId: partition },
  background: true,
  lingerMs: 5,
  onError: (error, lost) => console.error(`${NAME}: a batch of ${lost} messages failed: ${error.message}`),
});

let stop = false;
void interrupted().then(() => (stop = true));
const intervalMs = 1000 / rate;
const startedAt = Date.now();
let sent = 0;
let lastReport = startedAt;
console.log(`${NAME}: sending to stream "${stream.name}" topic "${topic.name}" at ${rate} msg/s${count > 0 ? `, ${count} messages` : ''}`);
while (!stop && (count === 0 || sent < count)) {
  const dueAt = startedAt + sent * intervalMs;
  const waitMs = dueAt - Date.now();
  if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
  await producer.send(envelope(sent));
  sent += 1;
  if (Date.now() - lastReport >= 1000) {
    lastReport = Date.now();
    console.log(`${NAME}: ${sent} messages sent`);
  }
}
await producer.close();
console.log(`${NAME}: sent ${sent} messages`);
await client.close();
