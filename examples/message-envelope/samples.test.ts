/**
 * The message-envelope samples run against a live server: the producer creates the stream and
 * topic and sends envelopes; consumers (individual and a group of two) receive and route them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IggyServer } from '@iggy-ts/server';

const run = promisify(execFile);
const directory = path.dirname(fileURLToPath(import.meta.url));
let server: IggyServer;
let dataDir: string;
let address: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'iggy-samples-'));
  server = await IggyServer.start({
    overrides: {
      system: { path: dataDir, shardCount: 2 },
      tcp: { address: '127.0.0.1:0' },
      http: { enabled: true, address: '127.0.0.1:0' },
      websocket: { enabled: true, address: '127.0.0.1:0' },
      root: { username: 'iggy', password: 'iggy' },
      logging: { level: 'silent' },
    },
  } as Parameters<typeof IggyServer.start>[0]);
  address = `127.0.0.1:${server.addresses.tcp!.port}`;
});

afterAll(async () => {
  await server?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

function sample(name: string, args: string[], at = address): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [path.join(directory, name), '--address', at, ...args], { timeout: 20_000 });
}

it.each(['http', 'ws'] as const)('the producer and an individual consumer work over --transport %s', async (transport) => {
  const port = transport === 'http' ? server.addresses.http!.port : server.addresses.websocket!.port;
  const at = `127.0.0.1:${port}`;
  const stream = `over-${transport}`;
  const produced = await sample('producer.mjs', ['--transport', transport, '--stream', stream, '--count', '3', '--rate', '1000', '--partition', '0'], at);
  expect(produced.stdout).toContain('sent 3 messages');
  const consumed = await sample('consumer.mjs', ['--transport', transport, '--stream', stream, '--partition', '0', '--consumer-id', '1', '--strategy', 'first', '--count', '3'], at);
  expect(consumed.stdout).toContain('received 3 messages');
});

it('the producer sends envelopes and an individual consumer receives them by type', async () => {
  const produced = await sample('producer.mjs', ['--stream', 'samples', '--count', '6', '--rate', '1000', '--message-size', '200']);
  expect(produced.stdout).toContain('sent 6 messages');
  const consumed = await sample('consumer.mjs', ['--stream', 'samples', '--consumer-id', '7', '--strategy', 'first', '--count', '6']);
  const lines = consumed.stdout.split('\n').filter((line) => line.startsWith('[partition'));
  expect(lines).toHaveLength(6);
  expect(lines.filter((line) => line.includes('order_created: order'))).toHaveLength(2);
  expect(lines.filter((line) => line.includes('order_confirmed: order'))).toHaveLength(2);
  expect(lines.filter((line) => line.includes('order_rejected: order'))).toHaveLength(2);
  expect(consumed.stdout).toContain('received 6 messages');
});

it('two consumers of one group share the messages of producers running at once', async () => {
  await Promise.all([
    sample('producer.mjs', ['--stream', 'shared', '--count', '10', '--rate', '2000', '--partition', '0']),
    sample('producer.mjs', ['--stream', 'shared', '--count', '10', '--rate', '2000', '--partition', '1']),
  ]);
  const [first, second] = await Promise.all([
    sample('consumer.mjs', ['--stream', 'shared', '--group', 'readers', '--count', '10']),
    sample('consumer.mjs', ['--stream', 'shared', '--group', 'readers', '--count', '10']),
  ]);
  const lines = [first, second].flatMap((output) => output.stdout.split('\n').filter((line) => line.startsWith('[partition')));
  expect(lines).toHaveLength(20);
  expect(new Set(lines.map((line) => line.split(']')[0])).size).toBe(20);
});

it('prints help, and rejects an unsupported transport', async () => {
  const help = await sample('consumer.mjs', ['--help']);
  expect(help.stdout).toContain('--group');
  const error = await sample('producer.mjs', ['--transport', 'carrier-pigeon']).catch((caught: { code: number; stderr: string }) => caught);
  expect(error).toMatchObject({ code: 2 });
  expect((error as { stderr: string }).stderr).toContain('unsupported --transport carrier-pigeon');
});
