import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../histogram.js';
import { renderHtml } from './html.js';
import { RESULT_SCHEMA, type BenchResult } from './model.js';
import { renderTable } from './table.js';

function sampleResult(): BenchResult {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 1000; i += 1) histogram.record(i / 100);
  const latency = histogram.summary();
  const samples = [1, 2, 3].map((timeS) => ({ timeS, intervalS: 1, messagesPerSecond: 1e5 * timeS, megabytesPerSecond: 100 * timeS, latencyMsMean: 2, latencyMsP50: 1.5, latencyMsP99: 9, latencyMsMax: 10 }));
  const actor = { role: 'producer' as const, id: 1, streamName: 'bench-stream-1', partitionId: 0, messagesCount: 3e5, payloadBytes: 3e8, batchesCount: 300, durationS: 3, messagesPerSecond: 1e5, megabytesPerSecond: 100, latency, samples };
  return {
    schema: RESULT_SCHEMA,
    kind: 'pinned-producer',
    description: 'each producer sends to its own stream and partition',
    transport: 'tcp',
    commandLine: "iggy-bench pinned-producer --output-dir '<dir>'",
    startedAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:00:03.000Z',
    smoke: false,
    parameters: { streamsCount: 1, partitionsCount: 1, producersCount: 1, consumersCount: 0, messagesPerBatch: 1000, messageSizeBytes: 1000, batchesPerActor: 300, totalSizeBytes: null, durationMs: null, rateLimitBytesPerSecond: null, warmupMs: 0, prefillMessagesCount: 0 },
    groups: [{ role: 'producer', actorsCount: 1, messagesCount: 3e5, payloadBytes: 3e8, batchesCount: 300, durationS: 3, messagesPerSecond: 1e5, megabytesPerSecond: 100, latency, samples }],
    actors: [actor],
    server: { mode: 'spawn', address: '127.0.0.1:1234', pid: 42, durability: 'buffered', shards: undefined, dataPath: '/tmp/x', serverBinary: 'iggy-server.js', nodeArgs: [], version: '0.8.0', threadsCount: 3, hostname: 'h', rssBytesMax: 200 * 1024 * 1024, cpuPercentMean: 95, resourceSamples: [{ timeS: 1, rssBytes: 1e8, cpuPercent: 90 }] },
    client: { cpuPercentMean: 10 },
    environment: { benchVersion: '0.1.0', gitCommit: 'abc', gitDirty: false, nodeVersion: 'v20', platform: 'linux', arch: 'x64', kernel: '6', cpuModel: 'cpu', cpusCount: 2, memoryTotalBytes: 1e9, hostname: 'h', loadAverage1m: 0.5 },
  };
}

describe('reports', () => {
  it('renders a self-contained HTML page with its charts inline and text escaped', () => {
    const html = renderHtml(sampleResult());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg class="chart"/g)?.length).toBe(5); // throughput, latency, percentiles, memory, CPU
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('&lt;dir&gt;');
    expect(html).not.toContain('<dir>');
  });

  it('renders the terminal table with the actor row and the server facts', () => {
    const table = renderTable(sampleResult(), ['out.json']);
    expect(table).toContain('producer 1');
    expect(table).toContain('100,000');
    expect(table).toContain('server RSS max 200.0 MiB');
    expect(table).toContain('report: out.json');
  });
});
