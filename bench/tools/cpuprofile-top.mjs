// Summarises V8 .cpuprofile files (from `node --cpu-prof`, e.g. a server spawned by
// `iggy-bench --server-node-args="--cpu-prof --cpu-prof-dir=DIR"`): the functions with the most
// self time, per file (one file per thread: the router and each shard worker) and over all files.
//   node bench/tools/cpuprofile-top.mjs DIR_OR_FILES... [--top 25]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
let top = 25;
const inputs = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--top') top = Number(args[++i]);
  else inputs.push(args[i]);
}
if (inputs.length === 0) {
  console.error('usage: node bench/tools/cpuprofile-top.mjs DIR_OR_FILES... [--top 25]');
  process.exit(2);
}
const files = inputs.flatMap((input) =>
  statSync(input).isDirectory() ? readdirSync(input).filter((name) => name.endsWith('.cpuprofile')).sort().map((name) => path.join(input, name)) : [input],
);

/** Self time in ms per function (name + file:line), from the sample timeline. */
function selfTimes(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byNode = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i += 1) {
    // timeDeltas[i] is the time before sample i; attribute the following interval to sample i.
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    byNode.set(samples[i], (byNode.get(samples[i]) ?? 0) + ms);
  }
  const byFunction = new Map();
  let totalMs = 0;
  for (const [id, ms] of byNode) {
    const frame = nodes.get(id).callFrame;
    const file = frame.url === '' ? '' : ` ${frame.url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${file}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    totalMs += ms;
  }
  return { byFunction, totalMs };
}

/** Per function: share of all sampled time and share of the busy (non-idle) time. */
function print(title, byFunction, totalMs) {
  const busyMs = totalMs - (byFunction.get('(idle)') ?? 0);
  console.log(`\n${title}: ${(totalMs / 1000).toFixed(2)} s sampled, ${(busyMs / 1000).toFixed(2)} s busy (${((busyMs * 100) / totalMs).toFixed(0)} %)`);
  console.log('  all %  busy %  self ms  function');
  const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, ms] of rows) {
    const busy = name === '(idle)' ? '' : ((ms * 100) / busyMs).toFixed(1);
    console.log(`${((ms * 100) / totalMs).toFixed(1).padStart(7)}  ${busy.padStart(6)}  ${ms.toFixed(0).padStart(7)}  ${name}`);
  }
}

const overall = new Map();
let overallMs = 0;
for (const file of files) {
  const { byFunction, totalMs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')));
  print(path.basename(file), byFunction, totalMs);
  for (const [name, ms] of byFunction) overall.set(name, (overall.get(name) ?? 0) + ms);
  overallMs += totalMs;
}
if (files.length > 1) print('all threads', overall, overallMs);
