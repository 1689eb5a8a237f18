// @iggy-ts/storage PartitionLog: append of a 1,000 × 1,000 B batch, and polls by offset served from
// the ring-buffer cache (hot: the newest bytes) against polls read back from the segment file
// through the index (cold for the cache; the file itself is in the page cache). Single-message polls
// at random offsets measure the index lookup.
//   node bench/micro/storage.bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';
import { MessageHeader, initHashes } from '@iggy-ts/protocol';
import { PartitionLog } from '@iggy-ts/storage';
import { runAndPrint } from './report.mjs';

await initHashes();
const MESSAGES_COUNT = 1000;
const PAYLOAD_SIZE_BYTES = 1000;
const MESSAGE_SIZE_BYTES = MessageHeader.size + PAYLOAD_SIZE_BYTES;
const BATCHES_COUNT = 64; // 68 MB in the log; the 8 MiB cache holds the newest ~7 batches

/** A message block as SendMessages carries it: checksum, id, offset and timestamp zero. */
function buildBlock() {
  const block = Buffer.alloc(MESSAGES_COUNT * MESSAGE_SIZE_BYTES);
  for (let i = 0; i < MESSAGES_COUNT; i += 1) {
    const at = i * MESSAGE_SIZE_BYTES;
    block.writeUInt32LE(PAYLOAD_SIZE_BYTES, at + MessageHeader.payloadLength);
    block.fill(0x5a, at + MessageHeader.size, at + MESSAGE_SIZE_BYTES);
  }
  return block;
}

const directory = mkdtempSync(path.join(tmpdir(), 'iggy-micro-storage-'));
const block = buildBlock();
// append() stamps offsets, timestamps and checksums into the block in place: give it a copy.
const appendScratch = Buffer.alloc(block.length);

const log = PartitionLog.open({ directory: path.join(directory, 'read'), durability: { mode: 'buffered' }, cacheSizeBytes: 8 * 1024 * 1024 });
for (let i = 0; i < BATCHES_COUNT; i += 1) {
  block.copy(appendScratch);
  log.append(appendScratch, MESSAGES_COUNT);
}
log.flush(false);
const writeLog = PartitionLog.open({ directory: path.join(directory, 'write'), durability: { mode: 'buffered' } });
const lastOffset = log.nextOffset - 1;
let randomState = 12345;
function randomOffset() {
  randomState = (randomState * 1103515245 + 12345) & 0x7fffffff;
  return randomState % (lastOffset - MESSAGES_COUNT * 8);
}

const bench = new Bench({ time: 1500 });
let sink = 0;
bench
  .add('append 1,000 × 1,000 B (buffered)', () => {
    block.copy(appendScratch);
    sink ^= writeLog.append(appendScratch, MESSAGES_COUNT).messagesCount;
  })
  .add('poll 1,000 by offset, hot (ring cache)', () => {
    sink ^= log.poll(lastOffset - MESSAGES_COUNT + 1, MESSAGES_COUNT, 16).messagesCount;
  })
  .add('poll 1,000 by offset, cold (segment file)', () => {
    sink ^= log.poll(randomOffset(), MESSAGES_COUNT, 16).messagesCount;
  })
  .add('poll 1 at a random offset (index lookup + read)', () => {
    sink ^= log.poll(randomOffset(), 1, 16).messagesCount;
  })
  .add('poll 1, hot (ring cache)', () => {
    sink ^= log.poll(lastOffset, 1, 16).messagesCount;
  });
await runAndPrint(`storage PartitionLog (${BATCHES_COUNT} batches of ${MESSAGES_COUNT} × ${PAYLOAD_SIZE_BYTES} B; cache hits ${log.cacheHits}, misses ${log.cacheMisses} before)`, bench, {
  'append 1,000 × 1,000 B (buffered)': block.length,
  'poll 1,000 by offset, hot (ring cache)': block.length,
  'poll 1,000 by offset, cold (segment file)': block.length,
});
console.log(`cache hits ${log.cacheHits}, misses ${log.cacheMisses} after`);
log.close();
writeLog.close();
rmSync(directory, { recursive: true, force: true });
if (sink === 0.5) console.log(sink);
