// @iggy-ts/protocol codecs on the message hot path: the SendMessages batch (1,000 messages of
// 1,000 B, as the write benchmark sends), its server-side validation, and the poll response header.
//   node bench/micro/codecs.bench.mjs
import { Bench } from 'tinybench';
import {
  decodePollMessagesResponse,
  decodeSendMessagesHeader,
  encodePollMessagesRequest,
  encodePollMessagesResponse,
  encodeSendMessagesRequest,
  partitionId,
  pollingStrategy,
  validateSendMessages,
} from '@iggy-ts/protocol';
import { runAndPrint } from './report.mjs';

const MESSAGES_COUNT = 1000;
const PAYLOAD_SIZE_BYTES = 1000;
const payload = Buffer.alloc(PAYLOAD_SIZE_BYTES, 0x5a);
const messages = Array.from({ length: MESSAGES_COUNT }, () => ({ payload }));
const request = { streamId: 1, topicId: 1, partitioning: partitionId(0), messages };
const sendPayload = encodeSendMessagesRequest(request);
const header = decodeSendMessagesHeader(sendPayload);

const polled = encodePollMessagesResponse({
  partitionId: 0,
  currentOffset: 999,
  count: MESSAGES_COUNT,
  messages: Array.from({ length: MESSAGES_COUNT }, (_, offset) => ({ checksum: 1n, id: 2n, offset, timestamp: 3, originTimestamp: 0, payload, userHeaders: Buffer.alloc(0) })),
});
const pollRequest = { consumer: { kind: 1, id: 1 }, streamId: 1, topicId: 1, partitionId: 0, strategy: pollingStrategy.offset(0), count: 1000, autoCommit: false };

const bench = new Bench({ time: 1500 });
let sink = 0;
bench
  .add('encodeSendMessagesRequest 1,000 × 1,000 B', () => {
    sink ^= encodeSendMessagesRequest(request).length;
  })
  .add('decodeSendMessagesHeader', () => {
    sink ^= decodeSendMessagesHeader(sendPayload).messagesCount;
  })
  .add('validateSendMessages 1,000 messages', () => {
    sink ^= validateSendMessages(sendPayload, header);
  })
  .add('decodePollMessagesResponse 1,000 messages (objects)', () => {
    sink ^= decodePollMessagesResponse(polled).count;
  })
  .add('poll header only (3 reads, as iggy-bench does)', () => {
    sink ^= polled.readUInt32LE(0) + polled.readUInt32LE(4) + polled.readUInt32LE(12);
  })
  .add('encodePollMessagesRequest', () => {
    sink ^= encodePollMessagesRequest(pollRequest).length;
  });
await runAndPrint('protocol codecs (1,000 messages of 1,000 B per batch)', bench, {
  'encodeSendMessagesRequest 1,000 × 1,000 B': sendPayload.length,
  'validateSendMessages 1,000 messages': sendPayload.length,
  'decodePollMessagesResponse 1,000 messages (objects)': polled.length,
});
if (sink === 0.5) console.log(sink);
