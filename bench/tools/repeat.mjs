// Runs one iggy-bench command several times and prints each run's headline figures and their
// median: the way the results table of docs/benchmarks.md is measured.
//   node bench/tools/repeat.mjs 3 pinned-producer --total-size "2 GB"
// Results (JSON and HTML per run) go to --output-dir (default bench/results).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const [countText, ...benchArgs] = process.argv.slice(2);
const count = Number(countText);
if (!Number.isInteger(count) || count < 1 || benchArgs.length === 0) {
  console.error('usage: node bench/tools/repeat.mjs RUNS KIND [iggy-bench options]');
  process.exit(2);
}
const benchBinary = fileURLToPath(new URL('../dist/bin/iggy-bench.js', import.meta.url));
const args = [...benchArgs, '--json'];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const format = (value, digits = 1) => (value >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits));

const runs = [];
for (let i = 0; i < count; i += 1) {
  const load = os.loadavg()[0];
  const run = spawnSync(process.execPath, [benchBinary, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) {
    console.error(`run ${i + 1} failed (exit ${run.status}):\n${run.stderr}`);
    process.exit(1);
  }
  const result = JSON.parse(run.stdout);
  const figures = { load, rssMiB: (result.server.rssBytesMax ?? 0) / 1024 / 1024, serverCpu: result.server.cpuPercentMean ?? 0, clientCpu: result.client.cpuPercentMean };
  for (const group of result.groups) {
    figures[`${group.role} MB/s`] = group.megabytesPerSecond;
    figures[`${group.role} msg/s`] = group.messagesPerSecond;
    figures[`${group.role} p50 ms`] = group.latency.p50Ms;
    figures[`${group.role} p99 ms`] = group.latency.p99Ms;
    figures[`${group.role} p99.9 ms`] = group.latency.p999Ms;
  }
  runs.push(figures);
  console.log(`run ${i + 1}: ${Object.entries(figures).map(([name, value]) => `${name} ${format(value, 2)}`).join(' · ')}`);
}
const names = Object.keys(runs[0]);
console.log(`median of ${count}: ${names.map((name) => `${name} ${format(median(runs.map((run) => run[name])), 2)}`).join(' · ')}`);
