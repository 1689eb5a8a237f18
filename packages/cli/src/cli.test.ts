/**
 * Malformed command lines, run in-process (no server is reached: every case fails before
 * connecting): one readable line, exit code 2. The built binary is checked the same way, on a
 * sample of these, in test/errors.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { transportAvailable } from './connection.js';
import type { Io } from './output.js';

const contextDirectory = mkdtempSync(path.join(os.tmpdir(), 'iggy-cli-unit-'));
afterAll(() => rmSync(contextDirectory, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`), raw: (bytes) => (stdout += String(bytes)), progressStream: undefined };
  // Port 1: nothing listens there, so a case that wrongly reached the network would fail differently.
  const code = await runCli(['--address', '127.0.0.1:1', ...argv], { io, env: { IGGY_CONTEXT_DIR: contextDirectory } });
  return { code, stdout, stderr };
}

const CASES: [string[], string][] = [
  [['nope'], "unknown command 'nope' (run iggy --help for the list)"],
  [['stream', 'bogus'], "unknown stream command 'bogus' (use create, list, get, update, delete, purge)"],
  [['stream'], 'choose a stream command: create, list, get, update, delete, purge'],
  [['stream', 'create'], 'missing argument <name> (usage: iggy stream create <name>)'],
  [['topic', 'create', 'dev'], 'missing argument <name> (usage: iggy topic create <stream> <name>)'],
  [['stream', 'create', 'a', 'b'], "unexpected argument 'b' (usage: iggy stream create <name>)"],
  [['stream', 'list', '--bogus'], 'unknown option --bogus (usage: iggy stream list)'],
  [['stream', 'list', '--output', 'xml'], 'invalid value "xml" for --output (choose text, json, raw)'],
  [['stream', 'list', '--output', 'raw'], '--output raw applies to message poll only; use text or json for stream list'],
  [['stream', 'get', '99999999999'], 'stream id 99999999999 is out of range (0..4294967295)'],
  [['topic', 'create', 'dev', 't', '--partitions', 'many'], "--partitions must be a whole number, got 'many'"],
  [['topic', 'create', 'dev', 't', '--message-expiry', 'soon'], "--message-expiry must be a duration like 30s, 15m, 1h 30m, 7d or 'never', got 'soon'"],
  [['topic', 'create', 'dev', 't', '--max-topic-size', 'big'], "--max-topic-size must be a size like 500MB, 10GiB or 'unlimited', got 'big'"],
  [['topic', 'create', 'dev', 't', '--compression', 'zip'], 'invalid value "zip" for --compression (choose none, gzip)'],
  [['topic', 'update', 'dev', 't'], 'nothing to update: give --name, --compression, --message-expiry, --max-topic-size or --replication-factor'],
  [['partition', 'create', 'dev', 't', '0'], '<count> must be between 1 and 1000, got 0'],
  [['message', 'send', 'dev', 'sample', '--header', 'oops', 'x'], "--header must be key:kind:value (e.g. source:string:cli), got 'oops'"],
  [['message', 'send', 'dev', 'sample', '--header', 'k:u8:300', 'x'], '--header k must be between 0 and 255, got 300'],
  [['message', 'send', 'dev', 'sample', '--header', 'k:color:red', 'x'], "--header 'k:color:red': unknown kind 'color' (use raw, string, bool, int8, int16, int32, int64, int128, uint8, uint16, uint32, uint64, uint128, float32, float64)"],
  [['message', 'send', 'dev', 'sample', '--partition-id', '1', '--key', 'k', 'x'], 'choose one of --partition-id, --key and --balanced'],
  [['message', 'send', 'dev', 'sample', '--raw', 'x'], '--raw applies to --file and stdin, not to messages given as arguments'],
  [['message', 'send', 'dev', 'sample', '--file', 'f', 'x'], 'give messages either as arguments or with --file, not both'],
  [['message', 'poll', 'dev', 'sample', '--first', '--last'], 'choose one of --offset, --timestamp, --first, --last and --next'],
  [['message', 'poll', 'dev', 'sample', '--count', '0'], '--count must be between 1 and 100000000, got 0'],
  [['message', 'poll', 'dev', 'sample', '--timestamp', 'yesterday'], "--timestamp must be µs since the epoch or a date like 2026-01-31T12:00:00Z, got 'yesterday'"],
  [['message', 'poll', 'dev', 'sample', '--consumer', '1', '--group', 'g'], 'choose either --consumer or --group'],
  [['message', 'poll', 'dev', 'sample', '--offset'], '--offset needs a value (usage: iggy message poll <stream> <topic>)'],
  [['offset', 'set', 'dev', 'sample', '-1'], '<offset> must be between 0 and 9007199254740991, got -1'],
  [['user', 'create', 'bob', 'pw12', '--status', 'sleepy'], 'invalid value "sleepy" for --status (choose active, inactive)'],
  [['user', 'permissions', 'iggy'], 'give --global, --stream, --topic, or --none to remove every permission'],
  [['user', 'permissions', 'iggy', '--none', '--global', 'all'], '--none cannot be combined with --global, --stream or --topic'],
  [['user', 'update', 'iggy'], 'nothing to update: give --name or --status'],
  [['pat', 'create', 'x', '--expiry', '3 fortnights'], "--expiry: unknown time unit 'fortnights' in '3 fortnights' (use ms, s, m, h, d, w)"],
  [['snapshot', '--compression', 'rar'], 'invalid value "rar" for --compression (choose stored, deflated, bzip2, zstd, lzma, xz)'],
  [['--transport', 'carrier-pigeon', 'ping'], 'invalid value "carrier-pigeon" for --transport (choose tcp, quic, http, ws)'],
  [['--token', 't', '-u', 'u', '-p', 'p', 'me'], 'use either --token or --username/--password, not both'],
  [['-p', 'secret', 'me'], '--password needs --username (or IGGY_USERNAME)'],
  [['login'], 'login needs --username and --password (or IGGY_USERNAME and IGGY_PASSWORD)'],
  [['shell', 'extra'], "unexpected argument 'extra' (usage: iggy shell)"],
];

describe('malformed command lines', () => {
  it.each(CASES)('iggy %j fails with a readable line and exit code 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  // QUIC and WebSocket come to the SDK after TCP: until it exports them, the CLI says so.
  const missingTransports = (['quic', 'ws'] as const).filter((name) => !transportAvailable(name));
  it.skipIf(missingTransports.length === 0)('says a transport the SDK does not have yet is not available', async () => {
    const name = missingTransports[0]!;
    const result = await run(['--transport', name, 'ping']);
    expect(result.stderr).toBe(`error: transport '${name}' is not available yet in the SDK: use --transport tcp\n`);
    expect(result.code).toBe(2);
  });

  it('rejects an address that is not host:port', async () => {
    let stderr = '';
    const io: Io = { out: () => undefined, err: (line) => (stderr += line), raw: () => undefined, progressStream: undefined };
    expect(await runCli(['--address', 'no:port:here', 'ping'], { io, env: { IGGY_CONTEXT_DIR: contextDirectory } })).toBe(2);
    expect(stderr).toBe("error: invalid address 'no:port:here': expected host:port");
  });

  it('prints help for a family with --help and exits 0', async () => {
    const result = await run(['topic', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('iggy topic create <stream> <name>');
  });
});
