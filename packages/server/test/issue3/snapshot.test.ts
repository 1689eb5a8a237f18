// GetSnapshot (code 11, reference 4.1.3) over TCP: a real ZIP archive with the requested diagnostic
// files, read back with a strict reader (CRC-32 of every entry) and, where installed, `unzip -t`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CommandCode,
  ErrorCode,
  SnapshotCompression,
  SnapshotType,
  encodeFlushUnsavedBufferRequest,
  encodeGetSnapshotRequest,
} from '@iggy-ts/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipArchive, zipTextEntries } from '../../src/snapshot/testing.js';
import { TestServer, type TestClient } from './helpers.js';

const SECRETS = { rootPassword: 'root-password-never-shown', jwtSecret: 'jwt-secret-never-shown-0123456789abcdef', encryptionKey: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' };
const LOG_LINE = '{"level":"info","msg":"a line written before this start"}\n';

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('GetSnapshot', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'iggy-issue3-snapshot-'));
  const logFile = path.join(directory, 'server.log');
  let server: TestServer;
  let root: TestClient;
  let partitionDirectory: string;

  beforeAll(async () => {
    writeFileSync(logFile, LOG_LINE);
    server = await TestServer.start({
      root: { username: 'iggy', password: SECRETS.rootPassword },
      http: { jwt: { secret: SECRETS.jwtSecret } },
      encryption: { key: SECRETS.encryptionKey },
      logging: { level: 'silent', file: logFile },
    });
    root = await server.client();
    const streamId = (await root.createStream('snap')).id;
    const topicId = (await root.createTopic(streamId, 'shot', 1)).id;
    expect(await root.send(streamId, topicId, 0, [{ payload: Buffer.alloc(500, 1) }, { payload: Buffer.alloc(300, 2) }])).toBe(0);
    await root.ok(CommandCode.FlushUnsavedBuffer, encodeFlushUnsavedBufferRequest({ streamId, topicId, partitionId: 0, fsync: true }));
    partitionDirectory = `streams/${streamId}/topics/${topicId}/partitions/0`;
  });

  afterAll(async () => {
    await root?.close();
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  async function snapshot(compression: number, types: number[]): Promise<Buffer> {
    return root.ok(CommandCode.GetSnapshot, encodeGetSnapshotRequest({ compression, types }));
  }

  it('answers "all" with a valid ZIP of six diagnostic files', async () => {
    const archive = await snapshot(SnapshotCompression.Deflated, [SnapshotType.All]);
    const entries = readZipArchive(archive);
    expect(entries.map((entry) => entry.name)).toEqual(['filesystem_overview.txt', 'process_list.txt', 'resource_usage.json', 'test.txt', 'server_logs/server.log', 'server_config.toml']);
    expect(entries.some((entry) => entry.method === 8)).toBe(true);
    const files = zipTextEntries(archive);

    const overview = files.get('filesystem_overview.txt')!;
    expect(overview).toContain(`Filesystem overview of ${server.dataPath}`);
    const segment = `${partitionDirectory}/00000000000000000000.log`;
    const size = statSync(path.join(server.dataPath, segment)).size;
    expect(overview).toMatch(new RegExp(`^f\\s+${size}\\s+\\S+\\s+${segment.replace(/\//g, '\\/').replace('.', '\\.')}$`, 'm'));
    expect(overview).toMatch(/^d\s+-\s+\S+\s+metadata\/$/m);

    expect(files.get('process_list.txt')).toMatch(new RegExp(`^\\s*${process.pid}\\s`, 'm'));
    const usage = JSON.parse(files.get('resource_usage.json')!);
    expect(usage.process.pid).toBe(process.pid);
    expect(usage.server).toMatchObject({ version: '0.8.0', shardsCount: 2, streamsCount: 1 });
    expect(usage.server.clientsCount).toBeGreaterThanOrEqual(1);
    expect(files.get('test.txt')).toBe('test\n');
    expect(files.get('server_logs/server.log')).toBe(LOG_LINE);

    const config = files.get('server_config.toml')!;
    for (const secret of Object.values(SECRETS)) expect(config).not.toContain(secret);
    expect(config.match(/= "<redacted>"/g)).toHaveLength(3);
    expect(config).toContain(`path = ${JSON.stringify(server.dataPath)}`);
    expect(config).toContain('shards = 2');
  });

  it.skipIf(!hasUnzip())('produces archives that unzip -t accepts', async () => {
    const file = path.join(directory, 'all.zip');
    writeFileSync(file, await snapshot(SnapshotCompression.Deflated, [SnapshotType.All]));
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('collects only the requested types, in request order, once each', async () => {
    const files = zipTextEntries(await snapshot(SnapshotCompression.Stored, [SnapshotType.Test, SnapshotType.ServerConfig, SnapshotType.Test]));
    expect([...files.keys()]).toEqual(['test.txt', 'server_config.toml']);
  });

  it('stores with compression 1, deflates with 2 and falls back to deflate for 3 to 6', async () => {
    const stored = readZipArchive(await snapshot(SnapshotCompression.Stored, [SnapshotType.FilesystemOverview, SnapshotType.ServerConfig]));
    expect(stored.map((entry) => entry.method)).toEqual([0, 0]);
    for (const compression of [SnapshotCompression.Deflated, SnapshotCompression.Bzip2, SnapshotCompression.Zstd, SnapshotCompression.Lzma, SnapshotCompression.Xz]) {
      const entries = readZipArchive(await snapshot(compression, [SnapshotType.ServerConfig]));
      expect(entries).toHaveLength(1);
      expect(entries[0]!.method).toBe(8);
      expect(entries[0]!.compressedSize).toBeLessThan(entries[0]!.uncompressedSize);
    }
  });

  it('refuses "all" combined with other types, unknown types and unknown compressions with 3', async () => {
    const status = (payload: Buffer) => root.status(CommandCode.GetSnapshot, payload);
    expect(await status(Buffer.from([1, 2, SnapshotType.All, SnapshotType.Test]))).toBe(ErrorCode.InvalidCommand);
    expect(await status(Buffer.from([1, 1, 7]))).toBe(ErrorCode.InvalidCommand);
    expect(await status(Buffer.from([1, 1, 0]))).toBe(ErrorCode.InvalidCommand);
    expect(await status(Buffer.from([0, 1, 4]))).toBe(ErrorCode.InvalidCommand);
    expect(await status(Buffer.from([7, 1, 4]))).toBe(ErrorCode.InvalidCommand);
    expect(await status(Buffer.from([1, 2, 4]))).not.toBe(0); // two types announced, one sent
    // The connection is still usable.
    expect(zipTextEntries(await snapshot(1, [SnapshotType.Test])).get('test.txt')).toBe('test\n');
  });

  it('needs a login', async () => {
    const anonymous = await server.client(false);
    try {
      expect(await anonymous.status(CommandCode.GetSnapshot, encodeGetSnapshotRequest({ compression: 1, types: [SnapshotType.Test] }))).toBe(ErrorCode.Unauthenticated);
    } finally {
      await anonymous.close();
    }
  });
});
