/**
 * GetSnapshot (code 11, reference 4.1.3): a ZIP archive of diagnostic files, one per requested type.
 *
 *   type 1  filesystem_overview.txt  tree of the data directory: kind, size, mtime of every entry
 *   type 2  process_list.txt         processes of the machine, from /proc (Linux) or `ps` / `tasklist`
 *   type 3  resource_usage.json      this process (memory, CPU, resource usage), the machine, the disk
 *   type 4  test.txt                 "test\n"
 *   type 5  server_logs/<log file>   the configured log file (its last 32 MiB), else server_logs.txt with a note
 *   type 6  server_config.toml       the effective configuration, secrets replaced by "<redacted>"
 *   type 100 all of the above        may not be combined with other types (3)
 *
 * Compression: 1 stored, 2 deflated. 0.8 also accepts bzip2 (3), zstd (4), lzma (5) and xz (6), which
 * node:zlib cannot write; for those this server falls back to deflate (a choice: the client still gets
 * a valid archive, and each entry records its method, so any ZIP reader opens it). A deflated entry
 * that would not shrink is stored.
 *
 * Everything is bounded (entry counts, bytes read, command time) and read asynchronously, so a large
 * data directory neither blocks the router's event loop for long nor grows the reply without bound.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, open, readdir, readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, IggyError, SnapshotCompression, SnapshotType } from '@iggy-ts/protocol';
import { CONFIG_FIELDS, getConfigValue, type ServerConfig } from '../config/schema.js';
import { renderConfigToml } from '../config/render.js';
import { createZipArchive, type ZipEntry, type ZipMethod } from './zip.js';

export const SNAPSHOT_LIMITS = {
  /** Entries listed in the filesystem overview; the walk stops after this many. */
  filesystemEntryCountMax: 100_000,
  /** Processes listed from /proc. */
  processCountMax: 10_000,
  /** The newest bytes of the log file that go into the archive. */
  logSizeBytesMax: 32 * 1024 * 1024,
  /** Time and output limits of the `ps` / `tasklist` fallback. */
  commandTimeoutMs: 5_000,
  commandOutputBytesMax: 8 * 1024 * 1024,
} as const;

export const REDACTED = '<redacted>';

/** Every concrete type, in archive order ("all" expands to these). */
const ALL_TYPES = [
  SnapshotType.FilesystemOverview,
  SnapshotType.ProcessList,
  SnapshotType.ResourceUsage,
  SnapshotType.Test,
  SnapshotType.ServerLogs,
  SnapshotType.ServerConfig,
] as const;

/** What the snapshot reads; the router passes its state, tests pass their own. */
export interface SnapshotSources {
  /** Absolute data directory. */
  readonly dataPath: string;
  /** The effective configuration (secrets are redacted here, not by the caller). */
  readonly config: ServerConfig;
  /** Figures of the running server for resource_usage.json (optional). */
  readonly server?: Readonly<Record<string, unknown>>;
  /** Clock, for the timestamps in the files and the archive (default Date.now). */
  readonly nowMs?: number;
}

export interface SnapshotRequest {
  readonly compression: number;
  readonly types: readonly number[];
}

/** ZIP method for a wire compression code; 3..6 fall back to deflate (see the file header). Else 3. */
export function snapshotMethod(compression: number): ZipMethod {
  if (compression === SnapshotCompression.Stored) return 'stored';
  if (compression >= SnapshotCompression.Deflated && compression <= SnapshotCompression.Xz) return 'deflated';
  throw new IggyError(ErrorCode.InvalidCommand, `unknown snapshot compression ${compression}`);
}

/** The concrete types to collect, without duplicates, in request order; 100 expands to all. Invalid → 3. */
export function snapshotTypes(types: readonly number[]): number[] {
  if (types.includes(SnapshotType.All)) {
    if (types.length > 1) throw new IggyError(ErrorCode.InvalidCommand, 'snapshot type "all" cannot be combined with other types');
    return [...ALL_TYPES];
  }
  const result: number[] = [];
  for (const type of types) {
    if (!(ALL_TYPES as readonly number[]).includes(type)) throw new IggyError(ErrorCode.InvalidCommand, `unknown snapshot type ${type}`);
    if (!result.includes(type)) result.push(type);
  }
  return result;
}

/** Builds the archive. */
export async function createSnapshot(request: SnapshotRequest, sources: SnapshotSources): Promise<Buffer> {
  const method = snapshotMethod(request.compression);
  const types = snapshotTypes(request.types);
  const nowMs = sources.nowMs ?? Date.now();
  const entries: ZipEntry[] = [];
  for (const type of types) entries.push(...(await collect(type, sources, nowMs)));
  return createZipArchive(entries, method, new Date(nowMs));
}

async function collect(type: number, sources: SnapshotSources, nowMs: number): Promise<ZipEntry[]> {
  switch (type) {
    case SnapshotType.FilesystemOverview:
      return [text('filesystem_overview.txt', await filesystemOverview(sources.dataPath, nowMs))];
    case SnapshotType.ProcessList:
      return [text('process_list.txt', await processList(nowMs))];
    case SnapshotType.ResourceUsage:
      return [text('resource_usage.json', `${JSON.stringify(await resourceUsage(sources, nowMs), null, 2)}\n`)];
    case SnapshotType.Test:
      return [text('test.txt', 'test\n')];
    case SnapshotType.ServerLogs:
      return serverLogs(sources.config.logging.file);
    default:
      return [text('server_config.toml', renderConfigToml(redactSecrets(sources.config)))];
  }
}

function text(name: string, content: string): ZipEntry {
  return { name, data: Buffer.from(content, 'utf8') };
}

// ---------------------------------------------------------------------------------------------
// 1: filesystem overview

function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Breadth-first walk of the data directory; symbolic links are listed, not followed. */
export async function filesystemOverview(root: string, nowMs: number): Promise<string> {
  const lines: string[] = [`Filesystem overview of ${root}`, `Generated ${formatTime(nowMs)}`, '', 'TYPE        SIZE_BYTES  MODIFIED                  PATH'];
  let directories = 0;
  let files = 0;
  let totalBytes = 0;
  let listed = 0;
  let truncated = false;
  const pending: string[] = [''];
  walk: while (pending.length > 0) {
    const relative = pending.shift()!;
    let names: string[];
    try {
      names = (await readdir(path.join(root, relative))).sort();
    } catch (error) {
      lines.push(`!  cannot read ${relative === '' ? '.' : relative}: ${(error as Error).message}`);
      continue;
    }
    for (const name of names) {
      if (listed >= SNAPSHOT_LIMITS.filesystemEntryCountMax) {
        truncated = true;
        break walk;
      }
      const entryPath = relative === '' ? name : `${relative}/${name}`;
      let stats;
      try {
        stats = await lstat(path.join(root, entryPath));
      } catch {
        continue; // removed while we walked (retention, a deleted topic)
      }
      listed += 1;
      let kind = 'f';
      if (stats.isDirectory()) {
        kind = 'd';
        directories += 1;
        pending.push(entryPath);
      } else if (stats.isSymbolicLink()) {
        kind = 'l';
      } else if (stats.isFile()) {
        files += 1;
        totalBytes += stats.size;
      } else {
        kind = '?';
      }
      const size = kind === 'd' ? '-' : String(stats.size);
      lines.push(`${kind}  ${size.padStart(18)}  ${formatTime(stats.mtimeMs)}  ${entryPath}${kind === 'd' ? '/' : ''}`);
    }
  }
  lines.push('', `${directories} directories, ${files} files, ${totalBytes} bytes in files${truncated ? ` (listing stopped after ${SNAPSHOT_LIMITS.filesystemEntryCountMax} entries)` : ''}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// 2: process list

function statusField(status: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
  return match?.[1]?.trim() ?? '?';
}

async function procProcessList(): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const pids = names.filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  if (pids.length === 0) return undefined;
  const lines = ['PID      PPID     STATE  THREADS  RSS_KIB     NAME             COMMAND'];
  for (const pid of pids.slice(0, SNAPSHOT_LIMITS.processCountMax)) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const cmdline = (await readFile(`/proc/${pid}/cmdline`)).toString('utf8').split('\0').filter((part) => part !== '').join(' ');
      const rss = statusField(status, 'VmRSS').replace(/\s*kB$/, '');
      lines.push(
        [
          String(pid).padEnd(8),
          statusField(status, 'PPid').padEnd(8),
          statusField(status, 'State').split(' ')[0]!.padEnd(6),
          statusField(status, 'Threads').padEnd(8),
          (rss === '?' ? '0' : rss).padEnd(11),
          statusField(status, 'Name').padEnd(16),
          cmdline === '' ? `[${statusField(status, 'Name')}]` : cmdline,
        ].join(' '),
      );
    } catch {
      // the process ended while we read it
    }
  }
  if (pids.length > SNAPSHOT_LIMITS.processCountMax) lines.push(`... ${pids.length - SNAPSHOT_LIMITS.processCountMax} more processes not listed`);
  return lines;
}

function runCommand(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: SNAPSHOT_LIMITS.commandTimeoutMs, maxBuffer: SNAPSHOT_LIMITS.commandOutputBytesMax, windowsHide: true }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

export async function processList(nowMs: number): Promise<string> {
  const header = [`Process list of ${os.hostname()} (server pid ${process.pid})`, `Generated ${formatTime(nowMs)}`, ''];
  const fromProc = await procProcessList();
  if (fromProc !== undefined) return `${[...header, 'Source: /proc', ...fromProc].join('\n')}\n`;
  const [file, args] = process.platform === 'win32' ? ['tasklist', ['/v']] : ['ps', ['-axo', 'pid,ppid,stat,rss,etime,command']];
  try {
    return `${[...header, `Source: ${file} ${args.join(' ')}`].join('\n')}\n${await runCommand(file, args as string[])}`;
  } catch (error) {
    return `${[...header, `No process list: /proc is not available and ${file} failed: ${(error as Error).message}`].join('\n')}\n`;
  }
}

// ---------------------------------------------------------------------------------------------
// 3: resource usage

export async function resourceUsage(sources: SnapshotSources, nowMs: number): Promise<Record<string, unknown>> {
  let disk: Record<string, unknown>;
  try {
    const fs = await statfs(sources.dataPath);
    disk = { path: sources.dataPath, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bfree * fs.bsize, availableBytes: fs.bavail * fs.bsize };
  } catch (error) {
    disk = { path: sources.dataPath, error: (error as Error).message };
  }
  const cpus = os.cpus();
  return {
    generatedAt: formatTime(nowMs),
    process: {
      pid: process.pid,
      nodeVersion: process.version,
      uptimeSeconds: process.uptime(),
      memoryUsage: process.memoryUsage(),
      cpuUsageMicros: process.cpuUsage(),
      resourceUsage: process.resourceUsage(),
    },
    system: {
      hostname: os.hostname(),
      platform: process.platform,
      release: os.release(),
      arch: os.arch(),
      uptimeSeconds: os.uptime(),
      loadAverage: os.loadavg(),
      totalMemoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem(),
      cpuCount: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      availableParallelism: os.availableParallelism(),
    },
    disk,
    server: sources.server ?? {},
  };
}

// ---------------------------------------------------------------------------------------------
// 5: server logs

async function readTail(file: string, sizeBytesMax: number): Promise<{ data: Buffer; omittedBytes: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, sizeBytesMax);
    const data = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(data, read, length - read, size - length + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { data: data.subarray(0, read), omittedBytes: size - length };
  } finally {
    await handle.close();
  }
}

export async function serverLogs(logFile: string | null): Promise<ZipEntry[]> {
  if (logFile === null || logFile === '') {
    return [text('server_logs.txt', 'No log file is configured (logging.file is unset): the server logs to stdout only.\n')];
  }
  const absolute = path.resolve(logFile);
  if (!existsSync(absolute)) return [text('server_logs.txt', `The configured log file ${absolute} does not exist (yet).\n`)];
  try {
    const { data, omittedBytes } = await readTail(absolute, SNAPSHOT_LIMITS.logSizeBytesMax);
    const entries: ZipEntry[] = [{ name: `server_logs/${path.basename(absolute)}`, data }];
    if (omittedBytes > 0) entries.push(text('server_logs/README.txt', `Only the newest ${data.length} bytes of ${absolute} are included; ${omittedBytes} older bytes were left out.\n`));
    return entries;
  } catch (error) {
    return [text('server_logs.txt', `Cannot read the log file ${absolute}: ${(error as Error).message}\n`)];
  }
}

// ---------------------------------------------------------------------------------------------
// 6: server config

/** A copy of the config with every secret field (root password, JWT secret, encryption key) redacted. */
export function redactSecrets(config: ServerConfig): ServerConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const field of CONFIG_FIELDS) {
    if (!field.secret) continue;
    const value = getConfigValue(copy, field.path);
    if (value === null || value === undefined || value === '') continue;
    const parts = field.path.split('.');
    let node = copy;
    for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[parts[parts.length - 1]!] = REDACTED;
  }
  return copy as unknown as ServerConfig;
}
