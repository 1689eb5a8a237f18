// Snapshot contents per type, the type and compression rules, and secret redaction.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, IggyError, SnapshotCompression, SnapshotType } from '@iggy-ts/protocol';
import { loadConfig } from '../config/load.js';
import { createSnapshot, REDACTED, redactSecrets, snapshotMethod, snapshotTypes } from './snapshot.js';
import { readZipArchive, zipTextEntries } from './testing.js';

const root = mkdtempSync(path.join(tmpdir(), 'iggy-snapshot-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dataPath = path.join(root, 'data');
mkdirSync(path.join(dataPath, 'streams', '0', 'topics', '0'), { recursive: true });
writeFileSync(path.join(dataPath, 'streams', '0', 'topics', '0', '00000000000000000000.log'), Buffer.alloc(1234));
writeFileSync(path.join(dataPath, 'state.bin'), Buffer.alloc(7));
const logFile = path.join(root, 'logs', 'server.log');
mkdirSync(path.dirname(logFile));
writeFileSync(logFile, '{"level":30,"msg":"started"}\n');

const SECRETS = {
  rootPassword: 'root-secret-password',
  jwtSecret: 'jwt-secret-0123456789abcdef0123456789abcdef',
  encryptionKey: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
};

function config(withLogFile: boolean) {
  return loadConfig({
    env: {},
    overrides: {
      system: { path: dataPath },
      root: { username: 'iggy', password: SECRETS.rootPassword },
      http: { jwt: { secret: SECRETS.jwtSecret } },
      encryption: { key: SECRETS.encryptionKey },
      logging: { level: 'silent', file: withLogFile ? logFile : null },
    },
  });
}

function expectCode(run: () => unknown, code: number): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IggyError);
    expect((error as IggyError).code).toBe(code);
    return;
  }
  throw new Error(`expected error ${code}`);
}

describe('snapshot types and compression', () => {
  it('expands "all" to the six concrete types and refuses it combined with others (3)', () => {
    expect(snapshotTypes([SnapshotType.All])).toEqual([1, 2, 3, 4, 5, 6]);
    expectCode(() => snapshotTypes([SnapshotType.All, SnapshotType.Test]), ErrorCode.InvalidCommand);
    expectCode(() => snapshotTypes([7]), ErrorCode.InvalidCommand);
  });

  it('keeps request order and drops repeated types', () => {
    expect(snapshotTypes([4, 1, 4, 6])).toEqual([4, 1, 6]);
  });

  it('stores for 1, deflates for 2 and falls back to deflate for bzip2, zstd, lzma and xz', () => {
    expect(snapshotMethod(SnapshotCompression.Stored)).toBe('stored');
    for (const code of [2, 3, 4, 5, 6]) expect(snapshotMethod(code)).toBe('deflated');
    expectCode(() => snapshotMethod(0), ErrorCode.InvalidCommand);
    expectCode(() => snapshotMethod(7), ErrorCode.InvalidCommand);
  });
});

describe('snapshot archive', () => {
  it('holds one file per type for "all", every CRC valid', async () => {
    const archive = await createSnapshot({ compression: SnapshotCompression.Deflated, types: [SnapshotType.All] }, { dataPath, config: config(true), server: { shardsCount: 2 } });
    const names = readZipArchive(archive).map((entry) => entry.name);
    expect(names).toEqual(['filesystem_overview.txt', 'process_list.txt', 'resource_usage.json', 'test.txt', 'server_logs/server.log', 'server_config.toml']);
  });

  it('lists the data directory tree with file sizes', async () => {
    const files = zipTextEntries(await createSnapshot({ compression: 1, types: [SnapshotType.FilesystemOverview] }, { dataPath, config: config(false) }));
    const overview = files.get('filesystem_overview.txt')!;
    expect(overview).toMatch(/^d\s+-\s+\S+\s+streams\/$/m);
    expect(overview).toMatch(/^f\s+1234\s+\S+\s+streams\/0\/topics\/0\/00000000000000000000\.log$/m);
    expect(overview).toMatch(/^f\s+7\s+\S+\s+state\.bin$/m);
    expect(overview).toContain('4 directories, 2 files, 1241 bytes in files');
  });

  it('lists processes including the server itself', async () => {
    const files = zipTextEntries(await createSnapshot({ compression: 2, types: [SnapshotType.ProcessList] }, { dataPath, config: config(false) }));
    const list = files.get('process_list.txt')!;
    expect(list).toMatch(new RegExp(`^\\s*${process.pid}\\s`, 'm'));
  });

  it('reports memory, CPU, machine and disk figures as JSON', async () => {
    const files = zipTextEntries(await createSnapshot({ compression: 2, types: [SnapshotType.ResourceUsage] }, { dataPath, config: config(false), server: { shardsCount: 3 } }));
    const usage = JSON.parse(files.get('resource_usage.json')!);
    expect(usage.process.pid).toBe(process.pid);
    expect(usage.process.memoryUsage.rss).toBeGreaterThan(0);
    expect(usage.system.totalMemoryBytes).toBeGreaterThan(0);
    expect(usage.disk.totalBytes).toBeGreaterThan(0);
    expect(usage.server.shardsCount).toBe(3);
  });

  it('includes the configured log file, or a note when there is none', async () => {
    let files = zipTextEntries(await createSnapshot({ compression: 1, types: [SnapshotType.ServerLogs] }, { dataPath, config: config(true) }));
    expect(files.get('server_logs/server.log')).toBe('{"level":30,"msg":"started"}\n');
    files = zipTextEntries(await createSnapshot({ compression: 1, types: [SnapshotType.ServerLogs] }, { dataPath, config: config(false) }));
    expect(files.get('server_logs.txt')).toMatch(/No log file is configured/);
  });

  it('writes the effective config as TOML with the root password, JWT secret and encryption key redacted', async () => {
    const files = zipTextEntries(await createSnapshot({ compression: 2, types: [SnapshotType.ServerConfig, SnapshotType.Test] }, { dataPath, config: config(false) }));
    expect(files.get('test.txt')).toBe('test\n');
    const toml = files.get('server_config.toml')!;
    for (const secret of Object.values(SECRETS)) expect(toml).not.toContain(secret);
    expect(toml).toContain(`password = "${REDACTED}"`);
    expect(toml).toContain(`secret = "${REDACTED}"`);
    expect(toml).toContain(`key = "${REDACTED}"`);
    expect(toml).toContain(`path = ${JSON.stringify(dataPath)}`);
    expect(toml).toContain('username = "iggy"');
  });

  it('leaves unset secrets unset and never mutates the given config', () => {
    const original = config(false);
    const redacted = redactSecrets(original);
    expect(original.root.password).toBe(SECRETS.rootPassword);
    expect(redacted.root.password).toBe(REDACTED);
    const plain = loadConfig({ env: {}, overrides: { logging: { level: 'silent' } } });
    expect(redactSecrets(plain).root.password).toBeNull();
    expect(redactSecrets(plain).encryption.key).toBe('');
  });
});
