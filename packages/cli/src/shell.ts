/**
 * `iggy shell`: a REPL (node:readline) that runs the same command lines as `iggy`, keeping its
 * connections open between commands (consumer-group memberships last until the shell ends).
 * History is kept across runs in `<context dir>/history` (newest last, at most HISTORY_LINES_MAX);
 * Tab completes command families, commands, options and option values from the command table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import readline from 'node:readline';
import { cliVersion } from './args.js';
import type { CommandSpec } from './commands/command.js';
import { COMMANDS, FAMILIES, GLOBAL_OPTIONS, commandsOf, topLevelCommands } from './commands/index.js';
import { ClientPool, type GlobalOptions } from './connection.js';
import { UsageError } from './errors.js';
import type { Io } from './output.js';
import { ensureContextDirectory, historyFilePath } from './session.js';

const HISTORY_LINES_MAX = 1000;
/** Connect attempts inside the shell: enough to ride out a server restart. */
const SHELL_CONNECT_ATTEMPTS = 5;
const PROMPT = 'iggy> ';
const BUILTINS = ['help', 'exit', 'quit'] as const;

export interface ShellOptions {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  /** Global options given to `iggy shell`: the defaults of every command in it. */
  readonly defaults: GlobalOptions;
  /** Runs one command line (runCli). */
  readonly run: (argv: readonly string[], options: { io: Io; env: NodeJS.ProcessEnv; shell: { pool: ClientPool; defaults: GlobalOptions } }) => Promise<number>;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
}

/** Splits a line like a POSIX shell: whitespace separates, quotes group, backslash escapes. */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && index + 1 < line.length && '"\\$`'.includes(line[index + 1]!)) current += line[++index];
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inToken = true;
    } else if (char === '\\' && index + 1 < line.length) {
      current += line[++index];
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quote !== undefined) throw new UsageError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inToken) tokens.push(current);
  return tokens;
}

function loadHistory(file: string): string[] {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
    return lines.slice(-HISTORY_LINES_MAX).reverse(); // readline wants the newest first
  } catch {
    return [];
  }
}

function saveHistory(file: string, newestFirst: readonly string[]): void {
  try {
    writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_LINES_MAX).reverse().join('\n')}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only context directory must not break the shell.
  }
}

/** The spec named by the command words typed so far. */
function specOf(words: readonly string[]): CommandSpec | undefined {
  return [...COMMANDS].find((spec) => spec.path.every((word, index) => words[index] === word));
}

/**
 * Tab completion: the candidates for the word under the cursor (the last, possibly empty, word of
 * `line`), with a trailing space when there is exactly one so the next word can follow.
 */
export function complete(line: string): [string[], string] {
  const parts = line.split(/\s+/);
  const current = parts[parts.length - 1] ?? '';
  let before = parts.slice(0, -1).filter((part) => part !== '');
  if (before[0] === 'iggy') before = before.slice(1);
  const words = before.filter((word) => !word.startsWith('-'));
  const previous = before[before.length - 1];
  let candidates: string[] = [];
  const spec = specOf(words);
  const options = { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) };
  const previousOption = previous?.startsWith('--') === true ? options[previous.slice(2)] : undefined;
  if (previousOption?.choices !== undefined) candidates = [...previousOption.choices];
  else if (current.startsWith('-')) candidates = Object.keys(options).map((name) => `--${name}`);
  else if (words.length === 0) candidates = [...FAMILIES.map((family) => family.name), ...topLevelCommands().map((command) => command.path[0]!), ...BUILTINS];
  else if (words.length === 1 && FAMILIES.some((family) => family.name === words[0])) candidates = commandsOf(words[0]!).map((command) => command.path[1]!);
  else if (words[0] === 'help' && words.length === 1) candidates = FAMILIES.map((family) => family.name);
  const hits = candidates.filter((candidate) => candidate.startsWith(current)).sort();
  return [hits.length === 1 ? [`${hits[0]} `] : hits, current];
}

/** Runs the shell until `exit`, `quit` or end of input; resolves with exit code 0. */
export async function runShell(options: ShellOptions): Promise<number> {
  const { io, env, defaults } = options;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = (input as { isTTY?: boolean }).isTTY === true && (output as { isTTY?: boolean }).isTTY === true;
  ensureContextDirectory(env);
  const historyFile = historyFilePath(env);
  const pool = new ClientPool(SHELL_CONNECT_ATTEMPTS);
  const rl = readline.createInterface({
    input,
    output,
    terminal,
    history: loadHistory(historyFile),
    historySize: HISTORY_LINES_MAX,
    removeHistoryDuplicates: true,
    completer: (line: string) => complete(line),
    prompt: PROMPT,
  });
  rl.on('history', (history: string[]) => saveHistory(historyFile, history));
  rl.on('SIGINT', () => {
    // Ctrl-C drops the line being typed, as in bash; Ctrl-D (end of input) leaves.
    output.write('^C\n');
    rl.write(null, { ctrl: true, name: 'u' });
    rl.prompt();
  });
  if (terminal) {
    io.out(`iggy-ts shell ${cliVersion()}: type a command (e.g. stream list), help, or exit. Tab completes.`);
    rl.prompt();
  }
  try {
    for await (const line of rl) {
      const trimmed = line.trim();
      if (trimmed === 'exit' || trimmed === 'quit') break;
      if (trimmed !== '') {
        let argv: string[];
        try {
          argv = tokenize(trimmed);
        } catch (error) {
          io.err(`error: ${(error as Error).message}`);
          argv = [];
        }
        if (argv[0] === 'iggy') argv = argv.slice(1);
        if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
        if (argv.length > 0) await options.run(argv, { io, env, shell: { pool, defaults } });
      }
      if (terminal) rl.prompt();
    }
  } finally {
    rl.close();
    await pool.closeAll();
  }
  return 0;
}
