// CI smoke test of the bench app: every benchmark kind runs for about two seconds with small
// batches against a server the bench spawns, exits 0 and writes a JSON result with non-zero
// throughput and an HTML report. Timings are not asserted: CI machines vary too much.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHMARK_KINDS } from '../src/config.js';

const benchBinary = fileURLToPath(new URL('../dist/bin/iggy-bench.js', import.meta.url));
const outputRoot = mkdtempSync(path.join(tmpdir(), 'iggy-bench-smoke-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBench(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [benchBinary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

describe('iggy-bench --smoke', () => {
  it('is built (run npx tsc -b bench first)', () => {
    expect(existsSync(benchBinary)).toBe(true);
  });

  for (const kind of BENCHMARK_KINDS) {
    it(`runs ${kind} and writes a JSON result with throughput and an HTML report`, async () => {
      const outputDir = path.join(outputRoot, kind);
      const run = await runBench([kind, '--smoke', '--output-dir', outputDir, '--json']);
      expect(run.code, run.stderr).toBe(0);

      const files = readdirSync(outputDir);
      const jsonFile = files.find((file) => file.endsWith('.json'));
      const htmlFile = files.find((file) => file.endsWith('.html'));
      expect(jsonFile).toBeDefined();
      expect(htmlFile).toBeDefined();

      const result = JSON.parse(readFileSync(path.join(outputDir, jsonFile!), 'utf8'));
      expect(result.kind).toBe(kind);
      expect(JSON.parse(run.stdout)).toEqual(result); // --json prints the same result
      expect(result.groups.length).toBeGreaterThan(0);
      for (const group of result.groups) {
        expect(group.messagesCount).toBeGreaterThan(0);
        expect(group.messagesPerSecond).toBeGreaterThan(0);
        expect(group.megabytesPerSecond).toBeGreaterThan(0);
        expect(group.latency.p50Ms).toBeGreaterThan(0);
      }
      expect(result.server.mode).toBe('spawn');
      expect(result.server.durability).toBe('buffered');
      expect(result.server.rssBytesMax).toBeGreaterThan(0);

      const html = readFileSync(path.join(outputDir, htmlFile!), 'utf8');
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    }, 45_000);
  }

  for (const transport of ['ws', 'http'] as const) {
    it(`runs pinned-producer over --transport ${transport}`, async () => {
      const outputDir = path.join(outputRoot, `transport-${transport}`);
      const run = await runBench(['pinned-producer', '--smoke', '--transport', transport, '--output-dir', outputDir, '--json', '--no-html']);
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.transport).toBe(transport);
      for (const group of result.groups) expect(group.megabytesPerSecond).toBeGreaterThan(0);
    }, 45_000);
  }

  it('refuses consumer-group kinds over HTTP with exit code 2', async () => {
    const run = await runBench(['balanced-consumer-group', '--transport', 'http']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HTTP API does not have');
  });
});
