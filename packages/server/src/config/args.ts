// The `iggy-server` command line. Options that set config values become programmatic overrides,
// so they win over the config file and the environment. Parsing never prints and never exits:
// --help and --version come back as text for the caller to print, mistakes as `ArgsError`.

import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { CONFIG_PATH_ENV, loadConfig, type Environment } from './load.js';
import {
  DEFAULT_SERVER_CONFIG,
  DURABILITY_MODES,
  LOG_LEVELS,
  envVarName,
  type DurabilityMode,
  type LogLevel,
  type ServerConfig,
  type ServerConfigOverrides,
} from './schema.js';

/** Root credentials `--with-default-root-credentials` fills in (as Iggy 0.8 does). */
export const DEFAULT_ROOT_USERNAME = 'iggy';
export const DEFAULT_ROOT_PASSWORD = 'iggy';

export interface ServerRunArgs {
  readonly action: 'run';
  /** --config; null: IGGY_CONFIG_PATH or defaults. */
  readonly configPath: string | null;
  /** --fresh: delete the data directory before starting. */
  readonly fresh: boolean;
  /** --with-default-root-credentials. */
  readonly withDefaultRootCredentials: boolean;
  /** Config values set by options (--tcp-address, --data-path, ...), for `loadConfig`. */
  readonly overrides: ServerConfigOverrides;
}

export type ServerArgs =
  | ServerRunArgs
  | { readonly action: 'help'; readonly text: string }
  | { readonly action: 'version'; readonly text: string };

/** A command line that cannot be run (unknown option, missing or invalid value). */
export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

function packageVersion(): string {
  // src/config/args.ts and dist/config/args.js both sit two levels below the package root.
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

const env = (key: string): string => `[env ${envVarName(key)}]`;

function buildParser(): ReturnType<typeof yargs> {
  return yargs()
    .scriptName('iggy-server')
    .usage('$0 [options]\n\nA message-streaming server, wire-compatible with Apache Iggy 0.8.')
    .options({
      config: {
        type: 'string',
        requiresArg: true,
        describe: `Configuration file (.toml or .json); without one, built-in defaults [env ${CONFIG_PATH_ENV}]`,
      },
      'with-default-root-credentials': {
        type: 'boolean',
        default: false,
        describe:
          `Create the root user as ${DEFAULT_ROOT_USERNAME}/${DEFAULT_ROOT_PASSWORD} when IGGY_ROOT_USERNAME / ` +
          'IGGY_ROOT_PASSWORD are unset (development only; no effect once a root user exists)',
      },
      fresh: { type: 'boolean', default: false, describe: 'Delete the data directory before starting' },
      'tcp-address': {
        type: 'string',
        requiresArg: true,
        describe: `TCP listen address host:port (default ${DEFAULT_SERVER_CONFIG.tcp.address}) ${env('tcp.address')}`,
      },
      'data-path': {
        type: 'string',
        requiresArg: true,
        describe: `Data directory (default ${DEFAULT_SERVER_CONFIG.system.path}) ${env('system.path')}`,
      },
      shards: {
        type: 'string',
        requiresArg: true,
        describe: `Shard worker threads, 0 = one per CPU (default ${DEFAULT_SERVER_CONFIG.system.shardCount}) ${env('system.shards')}`,
      },
      durability: {
        type: 'string',
        requiresArg: true,
        choices: DURABILITY_MODES,
        describe: `When messages reach the disk (default ${DEFAULT_SERVER_CONFIG.durability.mode}) ${env('durability.mode')}`,
      },
      'log-level': {
        type: 'string',
        requiresArg: true,
        choices: LOG_LEVELS,
        describe: `Least severe log level written (default ${DEFAULT_SERVER_CONFIG.logging.level}) ${env('logging.level')}`,
      },
    })
    .strict()
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .epilogue(
      'Every configuration key can also be set in the config file or by its IGGY_<SECTION>_<KEY> environment ' +
        'variable (see configs/server.toml and docs/configuration.md). Command-line options win over the ' +
        'environment, which wins over the file.',
    )
    .wrap(100);
}

/** Parses the arguments after `iggy-server` (e.g. `process.argv.slice(2)`). Throws `ArgsError`. */
export function parseServerArgs(argv: readonly string[]): ServerArgs {
  let failure: Error | null = null;
  let text = '';
  const parsed = buildParser().parse(argv, {}, (error, _argv, output) => {
    failure = error ?? null;
    text = output;
  });
  // TypeScript cannot see the synchronous callback's assignments.
  const error = failure as Error | null;
  if (error !== null) throw new ArgsError(error.message);
  if (parsed.help === true) return { action: 'help', text };
  if (parsed.version === true) return { action: 'version', text };
  if (parsed._.length > 0) throw new ArgsError(`Unexpected argument: ${parsed._.join(' ')}`);

  const overrides: {
    system?: { path?: string; shardCount?: number };
    tcp?: { address?: string };
    durability?: { mode?: DurabilityMode };
    logging?: { level?: LogLevel };
  } = {};
  const option = (name: string): string | undefined => parsed[name] as string | undefined;
  const tcpAddress = option('tcp-address');
  if (tcpAddress !== undefined) overrides.tcp = { address: tcpAddress };
  const dataPath = option('data-path');
  if (dataPath !== undefined) overrides.system = { ...overrides.system, path: dataPath };
  const shards = option('shards');
  if (shards !== undefined) {
    if (!/^\d+$/.test(shards)) throw new ArgsError(`--shards = ${JSON.stringify(shards)} must be a whole number (0 = one per CPU)`);
    overrides.system = { ...overrides.system, shardCount: Number(shards) };
  }
  const durability = option('durability');
  if (durability !== undefined) overrides.durability = { mode: durability as DurabilityMode };
  const logLevel = option('log-level');
  if (logLevel !== undefined) overrides.logging = { level: logLevel as LogLevel };

  const configPath = option('config');
  return {
    action: 'run',
    configPath: configPath === undefined || configPath === '' ? null : configPath,
    fresh: parsed.fresh === true,
    withDefaultRootCredentials: parsed['with-default-root-credentials'] === true,
    overrides,
  };
}

/**
 * `env` with IGGY_ROOT_USERNAME / IGGY_ROOT_PASSWORD filled with iggy/iggy where unset (as Iggy
 * 0.8's --with-default-root-credentials). Returns a copy; `env` is not changed.
 */
export function withDefaultRootCredentials(env: Environment): Environment {
  const usernameVar = envVarName('root.username');
  const passwordVar = envVarName('root.password');
  return {
    ...env,
    [usernameVar]: env[usernameVar] || DEFAULT_ROOT_USERNAME,
    [passwordVar]: env[passwordVar] || DEFAULT_ROOT_PASSWORD,
  };
}

/** `loadConfig` as the command line asks: its config file, its root-credential rule, its overrides. */
export function loadConfigFromArgs(args: ServerRunArgs, env: Environment = process.env): ServerConfig {
  return loadConfig({
    path: args.configPath ?? undefined,
    env: args.withDefaultRootCredentials ? withDefaultRootCredentials(env) : env,
    overrides: args.overrides,
  });
}
