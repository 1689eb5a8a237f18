/**
 * Bad input gets one readable `error:` line on stderr and a non-zero exit code, never a stack
 * trace: unknown resources, wrong credentials, no login, malformed command lines, no server.
 * Usage mistakes exit with 2, failed commands with 1.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUser, type CliResult, freePort, iggy, isReadableError, removeDirectory, startServer, temporaryDirectory, type TestServer } from './helpers.js';

let server: TestServer;
let contextDirectory: string;
let cli: CliUser;

beforeAll(async () => {
  server = await startServer();
  contextDirectory = temporaryDirectory('errors');
  cli = new CliUser(server.address, contextDirectory);
  await cli.login();
  await cli.ok(['stream', 'create', 'dev']);
  await cli.ok(['topic', 'create', 'dev', 'sample']);
});

afterAll(async () => {
  await server?.stop();
  removeDirectory(contextDirectory);
});

function expectError(result: CliResult, code: number, message: string | RegExp): void {
  expect(result.stdout).toBe('');
  expect(isReadableError(result.stderr), `not one readable line: ${JSON.stringify(result.stderr)}`).toBe(true);
  if (typeof message === 'string') expect(result.stderr).toBe(`error: ${message}\n`);
  else expect(result.stderr).toMatch(message);
  expect(result.code).toBe(code);
}

describe('iggy error output', () => {
  it('names unknown streams, topics, groups, users and tokens', async () => {
    const cases: [string[], string][] = [
      [['stream', 'get', 'x'], "stream 'x' not found"],
      [['stream', 'delete', '4242'], "stream '4242' not found"],
      [['topic', 'create', 'x', 'sample'], "stream 'x' not found"],
      [['topic', 'get', 'dev', 'nope'], "topic 'nope' not found in stream 'dev'"],
      [['message', 'poll', 'dev', 'nope'], "topic 'nope' not found in stream 'dev'"],
      [['message', 'send', 'dev', 'sample', '--partition-id', '9', 'hello'], "partition 9 not found in topic 'sample'"],
      [['group', 'get', 'dev', 'sample', 'nope'], "consumer group 'nope' not found in topic 'sample'"],
      [['user', 'delete', 'nobody'], "user 'nobody' not found"],
      [['pat', 'delete', 'nothing'], "personal access token 'nothing' not found"],
      [['stream', 'create', 'dev'], "stream 'dev' already exists"],
    ];
    const results = await Promise.all(cases.map(([args]) => cli.run(args)));
    results.forEach((result, index) => expectError(result, 1, cases[index]![1]));
  });

  it('reports wrong credentials, a missing login and a stale session', async () => {
    const elsewhere = temporaryDirectory('nologin');
    try {
      const [wrong, noLogin, unknownUser, halfCredentials] = await Promise.all([
        iggy(['--address', server.address, '-u', 'iggy', '-p', 'wrong', 'stream', 'list'], { env: { IGGY_CONTEXT_DIR: elsewhere } }),
        iggy(['--address', server.address, 'stream', 'list'], { env: { IGGY_CONTEXT_DIR: elsewhere } }),
        iggy(['--address', server.address, '-u', 'nobody', '-p', 'whatever', 'me'], { env: { IGGY_CONTEXT_DIR: elsewhere } }),
        iggy(['--address', server.address, '-u', 'iggy', 'me'], { env: { IGGY_CONTEXT_DIR: elsewhere } }),
      ]);
      expectError(wrong, 1, 'invalid credentials (42)');
      expectError(noLogin, 1, "not logged in (40): run 'iggy login' or pass --username and --password");
      expectError(unknownUser, 1, 'invalid credentials (42)');
      expectError(halfCredentials, 2, '--username needs --password (or IGGY_PASSWORD)');

      // A session whose token was deleted on the server.
      const stale = new CliUser(server.address, elsewhere);
      await stale.login();
      const token = JSON.parse(readFileSync(path.join(elsewhere, 'context.json'), 'utf8')) as { tokenName: string };
      await cli.ok(['pat', 'delete', token.tokenName]);
      expectError(await stale.run(['stream', 'list']), 1, /^error: the saved session is no longer valid \(\d+\): run 'iggy login' again\n$/);
    } finally {
      removeDirectory(elsewhere);
    }
  });

  it('rejects malformed command lines with exit code 2 (the full table is in src/cli.test.ts)', async () => {
    const cases: [string[], string][] = [
      [['nope'], "unknown command 'nope' (run iggy --help for the list)"],
      [['stream', 'create'], 'missing argument <name> (usage: iggy stream create <name>)'],
      [['stream', 'list', '--bogus'], 'unknown option --bogus (usage: iggy stream list)'],
      [['stream', 'list', '--output', 'xml'], 'invalid value "xml" for --output (choose text, json, raw)'],
      [['topic', 'create', 'dev', 't', '--partitions', 'many'], "--partitions must be a whole number, got 'many'"],
      [['message', 'send', 'dev', 'sample'], 'no messages on stdin'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli.run(args)));
    results.forEach((result, index) => expectError(result, 2, cases[index]![1]));
  });

  it('reports a server that is not there', async () => {
    const port = await freePort();
    expectError(await iggy(['--address', `127.0.0.1:${port}`, 'ping']), 1, `cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is the server running?)`);
  });

  it('reports unreadable files', async () => {
    expectError(await cli.run(['message', 'send', 'dev', 'sample', '--file', '/nonexistent/messages.txt']), 1, "cannot open '/nonexistent/messages.txt': no such file or directory");
  });
});
