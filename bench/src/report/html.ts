/**
 * The self-contained HTML report of one run: summary figures, inline SVG charts of throughput,
 * latency and server resources over time, the latency percentiles, per-actor results and every fact
 * about the setup. No script, no external stylesheet, font or CDN: the file can be mailed or archived.
 */
import type { ActorRole } from '../actors.js';
import { formatBinarySize, formatInteger, formatMs, formatSignificant, formatSize } from '../units.js';
import type { ActorResult, BenchResult, GroupResult } from './model.js';
import { escapeHtml, lineChart, percentileChart, type ChartSeries } from './svg.js';
import { serverLine, workloadLine } from './table.js';

const ROLE_COLORS: Readonly<Record<ActorRole, string>> = {
  producer: '#2563eb',
  consumer: '#059669',
  'producing-consumer': '#7c3aed',
};
const ROLE_TITLES: Readonly<Record<ActorRole, string>> = {
  producer: 'Producers',
  consumer: 'Consumers',
  'producing-consumer': 'Producing consumers',
};
const PERCENTILE_LABELS = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'p99.99', 'max'];
/** Per-actor lines are drawn (faintly) up to this many actors per role. */
const ACTOR_LINES_MAX = 16;

const STYLE = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--panel:#fff;--bg:#f6f7f9;--accent:#2563eb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1080px;margin:0 auto;padding:32px 24px 48px}
header h1{font-size:24px;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}
header h1 .kind{color:var(--accent)}
.subtitle{color:var(--ink);margin:0 0 2px}
.meta{color:var(--muted);font-size:13px;margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;background:#fef3c7;color:#92400e;font-size:12px;font-weight:600;margin-left:8px;vertical-align:middle}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin:24px 0 8px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.card .value small{font-size:13px;font-weight:500;color:var(--muted);margin-left:3px}
.card .sub{color:var(--muted);font-size:12px;font-variant-numeric:tabular-nums}
.card.role{border-top:3px solid var(--role)}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:18px 20px 14px;margin:16px 0}
section h2{font-size:15px;margin:0 0 2px;font-weight:650}
section p.note{color:var(--muted);font-size:12.5px;margin:0 0 10px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:4px 0 6px;font-size:12.5px;color:#334155}
.legend span{display:inline-flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:18px;height:0;border-top:2.5px solid var(--c)}
.legend i.dash{border-top-style:dashed}
.legend i.thin{border-top-width:1.5px;opacity:.45}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#eef2f6;stroke-width:1}
svg .grid-x{stroke:#f4f6f9}
svg .grid-minor{stroke:#f4f6f9}
svg .axis{stroke:#94a3b8;stroke-width:1}
svg .tick{fill:#64748b;font-size:11px;font-variant-numeric:tabular-nums}
svg .label{fill:#475569;font-size:12px}
svg .value{font-size:10.5px;font-weight:600;font-variant-numeric:tabular-nums}
svg .empty{fill:#94a3b8;font-size:13px}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:12px}
th,td{padding:6px 5px;border-bottom:1px solid var(--line);white-space:nowrap}
th{color:var(--muted);font-weight:600;text-align:right;font-size:11px;text-transform:uppercase;letter-spacing:.02em}
td{text-align:right}
th:first-child,td:first-child,th.left,td.left{text-align:left}
tr.total td{font-weight:650;background:#f8fafc}
td .dot{display:inline-block;width:8px;height:8px;border-radius:50%;background:var(--c);margin-right:7px;vertical-align:middle}
.scroll{overflow-x:auto}
.facts{display:grid;grid-template-columns:1fr 1fr;gap:0 32px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:6px 0 0;font-size:13px}
dt{color:var(--muted)}
dd{margin:0;word-break:break-word}
code{font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;border-radius:6px;padding:2px 6px}
pre{margin:8px 0 0;white-space:pre-wrap;word-break:break-all}
pre code{display:block;padding:10px 12px}
footer{color:var(--muted);font-size:12px;margin-top:24px;text-align:center}
@media (max-width:720px){.facts{grid-template-columns:1fr}}
@media print{body{background:#fff}section,.card{break-inside:avoid}}
`;

function groupActors(result: BenchResult, role: ActorRole): ActorResult[] {
  return result.actors.filter((actor) => actor.role === role);
}

function legend(items: readonly { name: string; color: string; style?: 'dash' | 'thin' }[]): string {
  return `<div class="legend">${items.map((item) => `<span><i class="${item.style ?? ''}" style="--c:${item.color}"></i>${escapeHtml(item.name)}</span>`).join('')}</div>`;
}

function cards(result: BenchResult): string {
  const parts: string[] = [];
  for (const group of result.groups) {
    const color = ROLE_COLORS[group.role];
    parts.push(
      `<div class="card role" style="--role:${color}"><div class="label">${ROLE_TITLES[group.role]} throughput</div>` +
        `<div class="value">${formatSignificant(group.megabytesPerSecond)}<small>MB/s</small></div>` +
        `<div class="sub">${formatInteger(group.messagesPerSecond)} msg/s · ${formatSize(group.payloadBytes)}</div></div>`,
    );
    parts.push(
      `<div class="card role" style="--role:${color}"><div class="label">${ROLE_TITLES[group.role]} latency</div>` +
        `<div class="value">${formatMs(group.latency.p50Ms)}<small>ms p50</small></div>` +
        `<div class="sub">p99 ${formatMs(group.latency.p99Ms)} · p99.9 ${formatMs(group.latency.p999Ms)} · max ${formatMs(group.latency.maxMs)} ms</div></div>`,
    );
  }
  const server = result.server;
  if (server.rssBytesMax !== undefined) {
    parts.push(
      `<div class="card"><div class="label">Server memory</div><div class="value">${escapeHtml(formatBinarySize(server.rssBytesMax))}</div>` +
        `<div class="sub">max resident (RSS)</div></div>`,
    );
  }
  if (server.cpuPercentMean !== undefined) {
    parts.push(
      `<div class="card"><div class="label">CPU, % of a core</div><div class="value">${Math.round(server.cpuPercentMean)}<small>% server</small></div>` +
        `<div class="sub">client ${Math.round(result.client.cpuPercentMean)} % · ${result.environment.cpusCount} cores</div></div>`,
    );
  }
  return `<div class="cards">${parts.join('')}</div>`;
}

function throughputSection(result: BenchResult): string {
  const series: ChartSeries[] = [];
  const legendItems: { name: string; color: string; style?: 'dash' | 'thin' }[] = [];
  for (const group of result.groups) {
    const color = ROLE_COLORS[group.role];
    const actors = groupActors(result, group.role);
    if (actors.length > 1 && actors.length <= ACTOR_LINES_MAX) {
      for (const actor of actors) {
        series.push({ name: `${actor.role} ${actor.id}`, color, widthPx: 1.2, opacity: 0.4, points: actor.samples.map((sample) => [sample.timeS, sample.megabytesPerSecond]) });
      }
      legendItems.push({ name: `each ${group.role}`, color, style: 'thin' });
    }
    series.push({ name: `${ROLE_TITLES[group.role]} total`, color, widthPx: 2.4, markers: true, unit: 'MB/s', points: group.samples.map((sample) => [sample.timeS, sample.megabytesPerSecond]) });
    legendItems.push({ name: `${ROLE_TITLES[group.role]}${actors.length > 1 ? ' (sum)' : ''}`, color });
  }
  return (
    `<section><h2>Throughput over time</h2><p class="note">Payload MB/s (10<sup>6</sup> bytes) per one-second interval of the measurement.</p>` +
    legend(legendItems) +
    lineChart({ series, xLabel: 'time since the measurement began, s', yLabel: 'MB/s' }) +
    `</section>`
  );
}

function latencySection(result: BenchResult): string {
  const series: ChartSeries[] = [];
  const legendItems: { name: string; color: string; style?: 'dash' | 'thin' }[] = [];
  for (const group of result.groups) {
    const color = ROLE_COLORS[group.role];
    const title = ROLE_TITLES[group.role];
    series.push({ name: `${title} p99`, color, widthPx: 1.8, dash: '5 4', markers: true, unit: 'ms', points: group.samples.map((sample) => [sample.timeS, sample.latencyMsP99]) });
    series.push({ name: `${title} p50`, color, widthPx: 2.4, markers: true, unit: 'ms', points: group.samples.map((sample) => [sample.timeS, sample.latencyMsP50]) });
    legendItems.push({ name: `${title} p50`, color }, { name: `${title} p99`, color, style: 'dash' });
  }
  return (
    `<section><h2>Latency over time</h2><p class="note">Per request round trip, over all actors of a role, per one-second interval (the maximum of each interval is in the JSON file).</p>` +
    legend(legendItems) +
    lineChart({ series, xLabel: 'time since the measurement began, s', yLabel: 'latency, ms' }) +
    `</section>`
  );
}

function percentileSection(result: BenchResult): string {
  const series = result.groups.map((group) => {
    const latency = group.latency;
    return { name: ROLE_TITLES[group.role], color: ROLE_COLORS[group.role], values: [latency.p50Ms, latency.p90Ms, latency.p95Ms, latency.p99Ms, latency.p999Ms, latency.p9999Ms, latency.maxMs] };
  });
  const note = result.kind.startsWith('end-to-end')
    ? 'Each sample is one send-and-poll cycle of a producing consumer.'
    : 'Each sample is one request round trip: a SendMessages batch acknowledged, or a PollMessages response received.';
  return (
    `<section><h2>Latency distribution</h2><p class="note">${note} Percentiles from a log-linear histogram (error below 0.4 %).</p>` +
    legend(series.map((entry) => ({ name: entry.name, color: entry.color }))) +
    percentileChart(PERCENTILE_LABELS, series) +
    `</section>`
  );
}

function resourcesSection(result: BenchResult): string {
  const samples = result.server.resourceSamples;
  if (result.server.rssBytesMax === undefined) {
    return `<section><h2>Server resources</h2><p class="note">Not sampled: the server runs elsewhere (pass <code>--server-pid</code> for a local one).</p></section>`;
  }
  const memory = lineChart({
    series: [{ name: 'resident memory', color: '#0f766e', widthPx: 2.4, markers: true, unit: 'MiB', points: samples.map((sample) => [sample.timeS, sample.rssBytes / 1024 / 1024]) }],
    xLabel: 'time since the measurement began, s',
    yLabel: 'RSS, MiB',
    heightPx: 220,
  });
  const cpu = lineChart({
    series: [{ name: 'server CPU', color: '#ea580c', widthPx: 2.4, markers: true, unit: '%', points: samples.map((sample) => [sample.timeS, sample.cpuPercent]) }],
    xLabel: 'time since the measurement began, s',
    yLabel: 'CPU, % of one core',
    heightPx: 220,
  });
  return (
    `<section><h2>Server resources</h2><p class="note">Sampled once a second from <code>/proc/${result.server.pid ?? ''}</code>. ` +
    `Max resident memory over the whole run (set-up and warm-up included): ${escapeHtml(formatBinarySize(result.server.rssBytesMax))}.</p>` +
    legend([{ name: 'resident memory (VmRSS)', color: '#0f766e' }]) +
    memory +
    legend([{ name: `server CPU (mean ${Math.round(result.server.cpuPercentMean ?? 0)} %)`, color: '#ea580c' }]) +
    cpu +
    `</section>`
  );
}

function resultRow(label: string, color: string, stream: string, partition: string, result: ActorResult | GroupResult, total: boolean): string {
  const latency = result.latency;
  const cells = [
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
  return (
    `<tr${total ? ' class="total"' : ''}><td><span class="dot" style="--c:${color}"></span>${escapeHtml(label)}</td>` +
    `<td class="left">${escapeHtml(stream)}</td><td>${escapeHtml(partition)}</td>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`
  );
}

function resultsTable(result: BenchResult): string {
  const rows: string[] = [];
  for (const group of result.groups) {
    const color = ROLE_COLORS[group.role];
    const actors = groupActors(result, group.role);
    for (const actor of actors) rows.push(resultRow(`${actor.role} ${actor.id}`, color, actor.streamName.replace('bench-stream-', ''), actor.partitionId === null ? '—' : String(actor.partitionId), actor, false));
    if (actors.length > 1) rows.push(resultRow(`${group.role}s total`, color, '', '', group, true));
  }
  return (
    `<section><h2>Results per actor</h2><p class="note">Latency in ms. A total row sums the actors' rates and takes percentiles over all their samples.</p><div class="scroll"><table><thead><tr>` +
    `<th>actor</th><th class="left">stream</th><th>partition</th><th>messages</th><th>payload</th><th>time s</th><th>msg/s</th><th>MB/s</th>` +
    `<th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

function definitionList(entries: readonly [string, string | undefined][]): string {
  return `<dl>${entries
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('')}</dl>`;
}

function factsSection(result: BenchResult): string {
  const parameters = result.parameters;
  const server = result.server;
  const environment = result.environment;
  const workload = definitionList([
    ['kind', result.kind],
    ['transport', result.transport],
    ['streams × partitions', `${parameters.streamsCount} × ${parameters.partitionsCount}`],
    ['producers', parameters.producersCount > 0 ? String(parameters.producersCount) : undefined],
    ['consumers', parameters.consumersCount > 0 ? String(parameters.consumersCount) : undefined],
    ['batch', `${formatInteger(parameters.messagesPerBatch)} messages × ${formatInteger(parameters.messageSizeBytes)} B`],
    ['batches per actor', parameters.batchesPerActor === null ? 'until the duration ends' : formatInteger(parameters.batchesPerActor)],
    ['total size', parameters.totalSizeBytes === null ? undefined : formatSize(parameters.totalSizeBytes)],
    ['duration cap', parameters.durationMs === null ? undefined : `${formatSignificant(parameters.durationMs / 1000)} s`],
    ['rate limit', parameters.rateLimitBytesPerSecond === null ? undefined : `${formatSize(parameters.rateLimitBytesPerSecond)}/s total`],
    ['warm-up', `${formatSignificant(parameters.warmupMs / 1000)} s`],
    ['written before (prefill)', parameters.prefillMessagesCount > 0 ? `${formatInteger(parameters.prefillMessagesCount)} messages` : undefined],
    ['started', result.startedAt],
    ['finished', result.finishedAt],
  ]);
  const serverFacts = definitionList([
    ['server', server.mode === 'spawn' ? 'spawned by the bench' : 'existing'],
    ['address', server.address],
    ['version', server.version],
    ['durability', server.durability ?? 'unknown (existing server)'],
    ['shards', server.mode === 'spawn' ? (server.shards === undefined ? 'one per CPU (server default)' : String(server.shards)) : undefined],
    ['threads', server.threadsCount === undefined ? undefined : String(server.threadsCount)],
    ['data path', server.dataPath],
    ['node options', server.nodeArgs.length > 0 ? server.nodeArgs.join(' ') : undefined],
    ['pid', server.pid === undefined ? undefined : String(server.pid)],
    ['git commit', environment.gitCommit === undefined ? 'unknown' : `${environment.gitCommit}${environment.gitDirty === true ? ' (uncommitted changes)' : ''}`],
    ['machine', `${environment.cpuModel}, ${environment.cpusCount} cores, ${formatBinarySize(environment.memoryTotalBytes)}`],
    ['load average', `${environment.loadAverage1m.toFixed(2)} (1 min, at start)`],
    ['system', `${environment.platform} ${environment.kernel} ${environment.arch}`],
    ['node', environment.nodeVersion],
    ['bench', `@iggy-ts/bench ${environment.benchVersion}, client CPU ${Math.round(result.client.cpuPercentMean)} % of a core`],
  ]);
  return (
    `<section><h2>Setup</h2><div class="facts"><div>${workload}</div><div>${serverFacts}</div></div>` +
    `<pre><code>${escapeHtml(result.commandLine)}</code></pre></section>`
  );
}

export function renderHtml(result: BenchResult): string {
  const title = `iggy-bench ${result.kind}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(result.startedAt)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>iggy-bench <span class="kind">${escapeHtml(result.kind)}</span>${result.smoke ? '<span class="badge">smoke run</span>' : ''}</h1>
<p class="subtitle">${escapeHtml(workloadLine(result))}</p>
<p class="meta">${escapeHtml(serverLine(result))} · ${escapeHtml(result.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))} · commit ${escapeHtml(result.environment.gitCommit?.slice(0, 12) ?? 'unknown')}${result.environment.gitDirty === true ? ' (dirty)' : ''}</p>
</header>
${cards(result)}
${throughputSection(result)}
${latencySection(result)}
${percentileSection(result)}
${resourcesSection(result)}
${resultsTable(result)}
${factsSection(result)}
<footer>${escapeHtml(result.description)} · generated by iggy-bench (schema ${escapeHtml(result.schema)})</footer>
</main>
</body>
</html>
`;
}
