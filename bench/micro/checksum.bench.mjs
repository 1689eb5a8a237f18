// XXH3-64 message checksums (@iggy-ts/protocol's hash-wasm build): one call per message, as the
// format stores them, against one call over the whole 1 MB batch (the lower bound for hashing).
//   node bench/micro/checksum.bench.mjs
import { Bench } from 'tinybench';
import { initHashes, writeXxh3Le } from '@iggy-ts/protocol';
import { runAndPrint } from './report.mjs';

await initHashes();
const MESSAGES_COUNT = 1000;
const MESSAGE_SIZE_BYTES = 64 + 1000;
const batch = Buffer.alloc(MESSAGES_COUNT * MESSAGE_SIZE_BYTES);
for (let i = 0; i < batch.length; i += 1) batch[i] = (i * 131) & 0xff;
const target = Buffer.alloc(8);
const small = Buffer.alloc(64 + 100, 7);

const bench = new Bench({ time: 1500 });
bench
  .add('XXH3 per message, 1,000 × 1,064 B', () => {
    for (let at = 0; at < batch.length; at += MESSAGE_SIZE_BYTES) writeXxh3Le(batch, at + 8, at + MESSAGE_SIZE_BYTES, batch, at);
  })
  .add('XXH3 whole batch, 1 × 1.06 MB', () => {
    writeXxh3Le(batch, 0, batch.length, target, 0);
  })
  .add('XXH3 one 164 B message', () => {
    writeXxh3Le(small, 8, small.length, small, 0);
  });
await runAndPrint('checksums (XXH3-64, hash-wasm)', bench, {
  'XXH3 per message, 1,000 × 1,064 B': batch.length,
  'XXH3 whole batch, 1 × 1.06 MB': batch.length,
  'XXH3 one 164 B message': small.length,
});
