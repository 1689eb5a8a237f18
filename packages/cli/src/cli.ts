/**
 * Runs one command line: parse, resolve the connection, run the command, report. Returns the exit
 * code (0 ok, 1 failed, 2 usage) and never throws; every failure is printed as one `error:` line.
 * The shell calls this for every line it reads, with its own client pool and defaults.
 */
import { type YargsArguments } from 'yargs';
import { parseCommandLine } from './args.js';
import { Args, type CommandContext, type CommandSpec } from './commands/command.js';
import { ClientPool, type ConnectionSettings, type GlobalOptions, resolveConnection, transportAvailable } from './connection.js';
import { describeError, exitCodeOf, UsageError, EXIT_USAGE } from './errors.js';
import { type Io, type OutputFormat, processIo } from './output.js';
import { loadSession, type Session } from './session.js';
import { runShell } from './shell.js';

export interface RunOptions {
  readonly io?: Io;
  readonly env?: NodeJS.ProcessEnv;
  /** Set by the shell: keep clients open in this pool, and use these global options as defaults. */
  readonly shell?: { readonly pool: ClientPool; readonly defaults: GlobalOptions };
}

/** Connect attempts of a one-shot command: it fails at once when the server is not there. */
const ONE_SHOT_CONNECT_ATTEMPTS = 1;

const SHELL_SPEC: CommandSpec = {
  path: ['shell'],
  describe: 'Interactive shell: the same commands, with history and tab completion',
  examples: [['iggy shell', 'then type e.g. stream list, or help']],
  run: async () => undefined, // run specially below: it needs the raw global options
};

function globalOptionsOf(argv: YargsArguments): GlobalOptions {
  const text = (name: string): string | undefined => {
    const value = argv[name];
    if (Array.isArray(value)) throw new UsageError(`--${name} was given more than once`);
    return value === undefined || value === null ? undefined : String(value);
  };
  return {
    transport: text('transport'),
    address: text('address'),
    username: text('username'),
    password: text('password'),
    token: text('token'),
    tls: argv['tls'] === true ? true : undefined,
    tlsCa: text('tls-ca'),
    tlsServerName: text('tls-server-name'),
  };
}

function outputOf(argv: YargsArguments, spec: CommandSpec): OutputFormat {
  const value = argv['output'];
  if (Array.isArray(value)) throw new UsageError('--output was given more than once');
  const output = (value ?? 'text') as OutputFormat;
  if (output === 'raw' && spec.rawOutput !== true) throw new UsageError(`--output raw applies to message poll only; use text or json for ${spec.path.join(' ')}`);
  return output;
}

/** The saved session; a damaged file fails only the commands that would use it (logout removes it). */
function sessionOf(env: NodeJS.ProcessEnv): { session: Session | undefined; problem: unknown } {
  try {
    return { session: loadSession(env), problem: undefined };
  } catch (error) {
    return { session: undefined, problem: error };
  }
}

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const env = options.env ?? process.env;
  const parsed = parseCommandLine(argv.length === 0 ? ['--help'] : argv, [SHELL_SPEC]);
  if (parsed.kind === 'output') {
    io.out(parsed.text);
    return 0;
  }
  if (parsed.kind === 'error') {
    io.err(`error: ${parsed.message}`);
    return EXIT_USAGE;
  }
  const { spec } = parsed;
  const positionalNames = new Set((spec.positionals ?? []).map((positional) => positional.name));
  const args = new Args(parsed.argv, positionalNames);
  let connection: ConnectionSettings | undefined;
  const pool = options.shell?.pool ?? new ClientPool(ONE_SHOT_CONNECT_ATTEMPTS);
  try {
    const globals = globalOptionsOf(parsed.argv);
    if (spec === SHELL_SPEC) {
      if (options.shell !== undefined) throw new UsageError('already in the shell');
      return await runShell({ io, env, defaults: globals, run: runCli });
    }
    const output = outputOf(parsed.argv, spec);
    const { session, problem } = sessionOf(env);
    const resolved = resolveConnection(globals, env, options.shell?.defaults ?? {}, session);
    connection = resolved;
    if (!transportAvailable(resolved.transport)) throw new UsageError(`transport '${resolved.transport}' is not available yet in the SDK: use --transport tcp`);
    const context: CommandContext = {
      io,
      output,
      env,
      connection: resolved,
      pool,
      inShell: options.shell !== undefined,
      client: () => {
        if (problem !== undefined && resolved.credentialsSource === 'none') return Promise.reject(problem);
        return pool.get(resolved);
      },
    };
    await spec.run(context, args);
    return 0;
  } catch (error) {
    io.err(`error: ${describeError(error, { path: spec.path, args: parsed.argv, ...(connection === undefined ? {} : { credentialsSource: connection.credentialsSource, transport: connection.transport }) })}`);
    return exitCodeOf(error);
  } finally {
    if (options.shell === undefined) await pool.closeAll();
  }
}
