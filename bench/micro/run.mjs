// Runs every micro-benchmark of bench/micro (each *.bench.mjs in its own Node process, one after
// the other so they do not share a heap or compete for the two cores) and prints their medians.
//   npm run bench:micro                 all of them
//   npm run bench:micro -- codecs       those whose file name contains "codecs"
// The packages must be built first (npx tsc -b).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const directory = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, [path.join(directory, file)], { stdio: 'inherit' });
  if (run.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
