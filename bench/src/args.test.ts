import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './args.js';
import { ConfigError, type BenchConfig } from './config.js';

function config(...argv: string[]): BenchConfig {
  const args = parseBenchArgs(argv);
  if (args.action !== 'run') throw new Error(`expected a run, got ${args.action}`);
  return args.config;
}

describe('parseBenchArgs', () => {
  it('uses Iggy defaults: 1,000 messages of 1,000 B, 1,000 batches, a spawned server', () => {
    const parsed = config('pinned-producer');
    expect(parsed).toMatchObject({ kind: 'pinned-producer', transport: 'tcp', server: 'spawn', messagesPerBatch: 1000, messageSizeBytes: 1000, producersCount: 1, consumersCount: 0, streamsCount: 1, partitionsCount: 1 });
    expect(parsed.amount).toEqual({ kind: 'batches', batchesPerActor: 1000 });
  });

  it('gives pinned kinds one stream per actor and balanced kinds one stream of 4 partitions', () => {
    expect(config('pinned-producer', '--producers', '4')).toMatchObject({ streamsCount: 4, partitionsCount: 1 });
    expect(config('balanced-producer-and-consumer-group', '--producers', '2', '--consumers', '3')).toMatchObject({ streamsCount: 1, partitionsCount: 4, producersCount: 2, consumersCount: 3 });
  });

  it('divides a total size among the measured actors', () => {
    const parsed = config('pinned-producer', '--producers', '4', '--total-size', '2 GB');
    expect(parsed.amount).toEqual({ kind: 'total-size', totalSizeBytes: 2e9, batchesPerActor: 500 });
  });

  it('runs producers until the duration ends when only --duration is given', () => {
    const parsed = config('balanced-producer', '--duration', '30 s');
    expect(parsed.durationMs).toBe(30_000);
    expect(parsed.amount.batchesPerActor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads a smoke run as small batches for about two seconds', () => {
    expect(config('pinned-consumer', '--smoke')).toMatchObject({ smoke: true, messagesPerBatch: 10, messageSizeBytes: 100, durationMs: 2000 });
  });

  it('reads an existing server address, rate limit, warm-up and server node options', () => {
    const parsed = config('pinned-producer', '--server', 'existing', '--address', '[::1]:9090', '--rate-limit', '500 MB/s', '--warmup', '2 s');
    expect(parsed.address).toEqual({ host: '::1', port: 9090 });
    expect(parsed.rateLimitBytesPerSecond).toBe(500_000_000);
    expect(parsed.warmupMs).toBe(2000);
    expect(config('pinned-producer', '--server-node-args=--cpu-prof  --cpu-prof-dir=prof').serverNodeArgs).toEqual(['--cpu-prof', '--cpu-prof-dir=prof']);
  });

  it('rejects what it cannot run with a precise message', () => {
    const cases: [string[], string][] = [
      [[], 'a benchmark kind is required'],
      [['pinned-sideways'], 'unknown benchmark kind'],
      [['balanced-consumer-group', '--transport', 'http'], 'HTTP API'],
      [['pinned-producer', '--transport', 'smtp'], 'Invalid values'],
      [['pinned-producer', '--batches', '10', '--total-size', '1 GB'], 'not both'],
      [['pinned-producer', '--consumers', '2'], 'has no consumers'],
      [['end-to-end-producing-consumer', '--consumers', '2'], 'uses --producers'],
      [['pinned-producer', '--address', '127.0.0.1:8090'], '--server existing'],
      [['pinned-producer', '--message-size', '10 parsecs'], '--message-size'],
      [['pinned-producer', '--producers', '0'], '--producers'],
      [['pinned-producer', '--bogus'], 'Unknown argument'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(ConfigError);
      expect(() => parseBenchArgs(argv)).toThrow(message);
    }
  });
});
