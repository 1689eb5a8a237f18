import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger, type LogDestination } from './logging.js';

function capture(): { destination: LogDestination; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  return {
    destination: { write: (chunk: string) => void chunks.push(chunk) },
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logging', () => {
  it('writes JSON lines with the level name, an ISO time and the message', () => {
    const { destination, lines } = capture();
    createLogger({ level: 'info', destination }).info({ streamId: 1 }, 'stream created');
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', msg: 'stream created', streamId: 1, pid: process.pid });
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it('drops lines below the level, and everything when silent', () => {
    const warnOnly = capture();
    const logger = createLogger({ level: 'warn', destination: warnOnly.destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(warnOnly.lines().map((line) => line.msg)).toEqual(['shown']);

    const silent = capture();
    createLogger({ level: 'silent', destination: silent.destination }).fatal('nothing');
    expect(silent.lines()).toEqual([]);
  });

  it('gives each module one child logger that tags its lines', () => {
    const { destination, lines } = capture();
    const root = createLogger({ level: 'debug', destination, base: { shard: 2 } });
    const listener = childLogger(root, 'tcp-listener');
    expect(childLogger(root, 'tcp-listener')).toBe(listener);
    expect(childLogger(root, 'metadata')).not.toBe(listener);
    listener.debug('accepted');
    expect(lines()[0]).toMatchObject({ module: 'tcp-listener', shard: 2, msg: 'accepted', level: 'debug' });
  });

  it('also appends to a file, creating its directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'iggy-log-'));
    try {
      const file = join(directory, 'logs', 'server.log');
      const { destination, lines } = capture();
      createLogger({ level: 'info', destination, file }).error('disk full');
      expect(lines().map((line) => line.msg)).toEqual(['disk full']);
      const written = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(written).toEqual([expect.objectContaining({ level: 'error', msg: 'disk full' })]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
