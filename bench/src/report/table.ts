/**
 * The result as a plain-text table for the terminal: one row per actor, one total row per role,
 * then the server facts and where the reports went.
 */
import { formatBinarySize, formatDurationMs, formatInteger, formatMs, formatSignificant, formatSize } from '../units.js';
import type { ActorResult, BenchResult, GroupResult } from './model.js';

const HEADERS = ['actor', 'stream', 'part', 'messages', 'payload', 'time s', 'msg/s', 'MB/s', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'p99.99', 'max ms'];
const RIGHT_ALIGNED = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

function row(label: string, stream: string, partition: string, result: ActorResult | GroupResult): string[] {
  const latency = result.latency;
  return [
    label,
    stream,
    partition,
    formatInteger(result.messagesCount),
    formatSize(result.payloadBytes),
    formatSignificant(result.durationS),
    formatInteger(result.messagesPerSecond),
    formatSignificant(result.megabytesPerSecond),
    formatMs(latency.p50Ms),
    formatMs(latency.p90Ms),
    formatMs(latency.p95Ms),
    formatMs(latency.p99Ms),
    formatMs(latency.p999Ms),
    formatMs(latency.p9999Ms),
    formatMs(latency.maxMs),
  ];
}

function renderRows(rows: readonly string[][], separatorsAfter: ReadonlySet<number>): string {
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...rows.map((cells) => cells[column]!.length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (RIGHT_ALIGNED.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('──');
  const lines = [format(HEADERS), rule];
  rows.forEach((cells, index) => {
    lines.push(format(cells));
    if (separatorsAfter.has(index)) lines.push(rule);
  });
  return lines.join('\n');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One-line description of the workload. */
export function workloadLine(result: BenchResult): string {
  const parameters = result.parameters;
  const actors: string[] = [];
  if (parameters.producersCount > 0) actors.push(plural(parameters.producersCount, result.kind.startsWith('end-to-end') ? 'producing consumer' : 'producer'));
  if (parameters.consumersCount > 0) actors.push(plural(parameters.consumersCount, 'consumer'));
  const amount: string[] = [];
  if (parameters.totalSizeBytes !== null) amount.push(`${formatSize(parameters.totalSizeBytes)} total`);
  else if (parameters.batchesPerActor !== null) amount.push(`${formatInteger(parameters.batchesPerActor)} batches per actor`);
  if (parameters.durationMs !== null) amount.push(`at most ${formatDurationMs(parameters.durationMs)}`);
  if (parameters.rateLimitBytesPerSecond !== null) amount.push(`limited to ${formatSize(parameters.rateLimitBytesPerSecond)}/s`);
  if (parameters.warmupMs > 0) amount.push(`${formatDurationMs(parameters.warmupMs)} warm-up`);
  return [
    actors.join(' + '),
    `${plural(parameters.streamsCount, 'stream')} × ${plural(parameters.partitionsCount, 'partition')}`,
    `${formatInteger(parameters.messagesPerBatch)} × ${formatInteger(parameters.messageSizeBytes)} B per batch`,
    ...amount,
  ].join(' · ');
}

/** "spawned, buffered, default shards" etc. */
export function serverLine(result: BenchResult): string {
  const server = result.server;
  const parts = [server.mode === 'spawn' ? `spawned at ${server.address}` : `existing server at ${server.address}`];
  if (server.durability !== undefined) parts.push(`durability ${server.durability}`);
  if (server.mode === 'spawn') parts.push(server.shards === undefined ? 'shards: one per CPU' : `${plural(server.shards, 'shard')}`);
  if (server.nodeArgs.length > 0) parts.push(`node ${server.nodeArgs.join(' ')}`);
  if (server.version !== undefined) parts.push(`server ${server.version}`);
  return parts.join(' · ');
}

export function renderTable(result: BenchResult, files: readonly string[]): string {
  const rows: string[][] = [];
  const separators = new Set<number>();
  for (const group of result.groups) {
    const actors = result.actors.filter((actor) => actor.role === group.role);
    for (const actor of actors) rows.push(row(`${actor.role} ${actor.id}`, actor.streamName.replace('bench-stream-', ''), actor.partitionId === null ? '—' : String(actor.partitionId), actor));
    if (actors.length > 1 || result.groups.length > 1) {
      separators.add(rows.length - 1);
      rows.push(row(`${group.role}s total`, '', '', group));
    }
    separators.add(rows.length - 1);
  }
  separators.delete(rows.length - 1);
  const lines = [
    `iggy-bench ${result.kind} · ${result.transport}${result.smoke ? ' · smoke' : ''}`,
    workloadLine(result),
    serverLine(result),
    '',
    renderRows(rows, separators),
    '',
    'latency in ms per request round trip (producing consumers: per send-and-poll cycle); MB = 10^6 bytes of payload',
  ];
  const server = result.server;
  const resources: string[] = [];
  if (server.rssBytesMax !== undefined) resources.push(`server RSS max ${formatBinarySize(server.rssBytesMax)}`);
  if (server.cpuPercentMean !== undefined) resources.push(`server CPU ${Math.round(server.cpuPercentMean)} %`);
  resources.push(`client CPU ${Math.round(result.client.cpuPercentMean)} % (of one core)`);
  lines.push(resources.join(' · '));
  const environment = result.environment;
  lines.push(`${environment.cpuModel} × ${environment.cpusCount} · load ${environment.loadAverage1m.toFixed(1)} at start · Node ${environment.nodeVersion} · commit ${environment.gitCommit?.slice(0, 12) ?? 'unknown'}${environment.gitDirty === true ? ' (dirty)' : ''}`);
  for (const file of files) lines.push(`report: ${file}`);
  return lines.join('\n');
}
