/**
 * `iggy shell` in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen.
 * Checks command output, a connection kept between commands (group membership), history recalled
 * with Up after a restart of the shell, and Tab completion. Needs tmux (skipped, saying so, without).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BINARY, CliUser, removeDirectory, startServer, temporaryDirectory, type TestServer } from './helpers.js';

const tmuxMissing = spawnSync('tmux', ['-V']).error !== undefined;
if (tmuxMissing) console.warn('iggy shell tests SKIPPED: tmux is not installed (apt-get install -y tmux)');

const SOCKET = `iggy-cli-test-${process.pid}`;
const SESSION = 'shell';

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function screen(): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION);
}

/** The line the cursor is on (the prompt and what is typed). */
function currentLine(): string {
  const lines = screen().trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function sessionAlive(): boolean {
  return spawnSync('tmux', ['-L', SOCKET, 'has-session', '-t', SESSION]).status === 0;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

let server: TestServer;
let cli: CliUser;

async function startShell(): Promise<void> {
  const command = `env IGGY_CONTEXT_DIR=${quote(cli.contextDirectory)} ${quote(process.execPath)} ${quote(CLI_BINARY)} --address ${server.address} shell`;
  tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', command);
  await waitFor('the prompt', () => currentLine() === 'iggy>');
}

/** Types a line and presses Enter; resolves when `expected` is on the screen. */
async function type(line: string, expected: string): Promise<void> {
  tmux('send-keys', '-t', SESSION, '-l', '--', line);
  tmux('send-keys', '-t', SESSION, 'Enter');
  await waitFor(`"${expected}" after "${line}"`, () => screen().includes(expected));
}

async function endShell(): Promise<void> {
  tmux('send-keys', '-t', SESSION, 'C-d');
  await waitFor('the shell to exit', () => !sessionAlive());
}

describe.skipIf(tmuxMissing)('iggy shell (in tmux)', () => {
  beforeAll(async () => {
    server = await startServer();
    cli = new CliUser(server.address, temporaryDirectory('shell'));
    await cli.login();
    await cli.ok(['stream', 'create', 'shelly']);
    await cli.ok(['topic', 'create', 'shelly', 't']);
    await cli.ok(['group', 'create', 'shelly', 't', 'g']);
  });

  afterAll(async () => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    // tmux leaves its socket file behind.
    rmSync(path.join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
    await server?.stop();
    if (cli !== undefined) removeDirectory(cli.contextDirectory);
  });

  it('runs commands, keeps its connection, recalls history after a restart, and completes with Tab', async () => {
    await startShell();
    await type('stream list', 'shelly');
    await type('message send shelly t --partition-id 0 "hello from the shell"', "sent 1 message to topic 't' in stream 'shelly' (partition 0)");
    await type('message poll shelly t --offset 0', 'hello from the shell');
    await type('stream get nope', "error: stream 'nope' not found");
    // Membership belongs to the shell's connection, so `me` sees the group after `group join`.
    await type('group join shelly t g', "joined consumer group 'g' in topic 't'");
    await type('me', 'consumer groups: 1');
    await endShell();
    const history = readFileSync(path.join(cli.contextDirectory, 'history'), 'utf8').trimEnd().split('\n');
    expect(history[history.length - 1]).toBe('me');
    expect(history).toContain('stream list');

    await startShell();
    tmux('send-keys', '-t', SESSION, 'Up');
    await waitFor('the last command from the previous run', () => currentLine() === 'iggy> me');
    tmux('send-keys', '-t', SESSION, 'Up');
    await waitFor('the command before it', () => currentLine() === 'iggy> group join shelly t g');
    tmux('send-keys', '-t', SESSION, 'C-u');
    await waitFor('an empty line', () => currentLine() === 'iggy>');

    // Tab completion: the key must arrive on its own, as a typed key does (not inside a paste).
    tmux('send-keys', '-t', SESSION, '-l', '--', 'str');
    await waitFor('the typed word', () => currentLine() === 'iggy> str');
    tmux('send-keys', '-t', SESSION, 'Tab');
    await waitFor('str completed to stream', () => currentLine() === 'iggy> stream');
    tmux('send-keys', '-t', SESSION, '-l', '--', 'li');
    await waitFor('the subcommand prefix', () => currentLine() === 'iggy> stream li');
    tmux('send-keys', '-t', SESSION, 'Tab');
    await waitFor('li completed to list', () => currentLine() === 'iggy> stream list');
    tmux('send-keys', '-t', SESSION, '-l', '--', '--out');
    await waitFor('the option prefix', () => currentLine() === 'iggy> stream list --out');
    tmux('send-keys', '-t', SESSION, 'Tab');
    await waitFor('--out completed to --output', () => currentLine() === 'iggy> stream list --output');
    tmux('send-keys', '-t', SESSION, '-l', '--', 'j');
    tmux('send-keys', '-t', SESSION, 'Tab');
    await waitFor('j completed to json', () => currentLine() === 'iggy> stream list --output json');
    tmux('send-keys', '-t', SESSION, 'Enter');
    await waitFor('JSON output', () => screen().includes('"name": "shelly"'));
    await endShell();
  });
});
