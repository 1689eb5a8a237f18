/**
 * The README's quick start, exactly as written, against the real server binary started with
 * --with-default-root-credentials — including a restart, after which the poll prints the same.
 * IGGY_ADDRESS points the commands at the test's port (the quick start uses the default 8090).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, iggy, removeDirectory, ServerProcess, temporaryDirectory } from './helpers.js';

let server: ServerProcess;
let dataPath: string;
let contextDirectory: string;

beforeAll(async () => {
  dataPath = temporaryDirectory('quickstart-data');
  contextDirectory = temporaryDirectory('quickstart-context');
  server = new ServerProcess(await freePort(), dataPath);
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  removeDirectory(dataPath);
  removeDirectory(contextDirectory);
});

/** One quick-start line, e.g. `iggy stream create dev`, run by its words. */
async function step(commandLine: readonly string[]): Promise<string> {
  const result = await iggy(commandLine, { env: { IGGY_ADDRESS: server.address, IGGY_CONTEXT_DIR: contextDirectory } });
  expect(result.stderr, `iggy ${commandLine.join(' ')}`).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const POLL = ['message', 'poll', 'dev', 'sample', '--partition-id', '1', '--offset', '0', '--count', '10'];

function expectTwoMessages(output: string): void {
  const lines = output.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^OFFSET\s+TIMESTAMP\s+PAYLOAD$/);
  expect(lines[1]).toMatch(/^0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+hello world$/);
  expect(lines[2]).toMatch(/^1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+lorem ipsum$/);
  expect(lines).toHaveLength(3);
}

it('runs the quick start as written, and polls the same messages after a server restart', async () => {
  expect(await step(['login', '--username', 'iggy', '--password', 'iggy'])).toMatch(/^logged in as 'iggy'/);
  expect(await step(['stream', 'create', 'dev'])).toMatch(/^created stream 'dev'/);
  expect(await step(['topic', 'create', 'dev', 'sample', '--partitions', '2'])).toMatch(/^created topic 'sample' .* with 2 partitions/);
  expect(await step(['message', 'send', 'dev', 'sample', '--partition-id', '1', 'hello world', 'lorem ipsum'])).toBe("sent 2 messages to topic 'sample' in stream 'dev' (partition 1)\n");
  expect(await step(['topic', 'list', 'dev'])).toMatch(/^ID\s+NAME\s+PARTITIONS\s+MESSAGES.*\n\d+\s+sample\s+2\s+2\s/);
  const before = await step(POLL);
  expectTwoMessages(before);

  await server.stop();
  await server.start();

  const after = await step(POLL);
  expectTwoMessages(after);
  expect(after).toBe(before);
});
