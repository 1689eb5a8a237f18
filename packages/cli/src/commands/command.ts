/**
 * What a command is (its words, arguments, options and action) and what it gets to run: the parsed
 * arguments, the output sink and format, and a lazily connected client. The command table built
 * from these specs drives the yargs parser, `--help`, and the shell's tab completion alike.
 */
import type { YargsOptionDefinition } from 'yargs';
import type { IggyClient, Identifier } from '@iggy-ts/sdk';
import { UsageError } from '../errors.js';
import type { ClientPool, ConnectionSettings } from '../connection.js';
import { type Io, type OutputFormat, toJson } from '../output.js';
import { parseIdentifier, parseInteger } from '../values.js';

export interface PositionalSpec {
  readonly name: string;
  readonly describe: string;
  /** `[name]` instead of `<name>`. */
  readonly optional?: boolean;
  /** Takes every remaining argument (`[name..]`). */
  readonly variadic?: boolean;
}

export interface CommandSpec {
  /** Command words: ['stream', 'create'], or ['ping'] for a top-level command. */
  readonly path: readonly string[];
  readonly describe: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options?: Readonly<Record<string, YargsOptionDefinition>>;
  readonly examples?: readonly (readonly [command: string, description: string])[];
  /** The command also accepts `--output raw` (message poll: payloads only). */
  readonly rawOutput?: boolean;
  run(context: CommandContext, args: Args): Promise<void>;
}

/** A family of subcommands (`iggy stream ...`). */
export interface CommandFamily {
  readonly name: string;
  readonly describe: string;
}

/** Everything a command's action may use. */
export interface CommandContext {
  readonly io: Io;
  readonly output: OutputFormat;
  readonly env: NodeJS.ProcessEnv;
  /** Where and how to connect, after precedence. */
  readonly connection: ConnectionSettings;
  readonly pool: ClientPool;
  /** True inside `iggy shell` (clients stay connected between commands). */
  readonly inShell: boolean;
  /** The connected, logged-in client (connects on first use). */
  client(): Promise<IggyClient>;
}

/** Typed access to parsed arguments; mistakes become UsageErrors naming the argument. */
export class Args {
  constructor(
    readonly values: Readonly<Record<string, unknown>>,
    private readonly positionalNames: ReadonlySet<string> = new Set(),
  ) {}

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw new UsageError(this.positionalNames.has(name) ? `missing argument <${name}>` : `missing option --${name}`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) throw new UsageError(`--${name} was given more than once`);
    return String(value);
  }

  strings(name: string): string[] {
    const value = this.values[name];
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).map(String);
  }

  flag(name: string): boolean {
    const value = this.values[name];
    if (Array.isArray(value)) return value.some((item) => item === true);
    return value === true;
  }

  identifier(name: string, what: string = name): Identifier {
    return parseIdentifier(this.string(name), what);
  }

  optionalIdentifier(name: string, what: string = name): Identifier | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : parseIdentifier(value, what);
  }

  integer(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    return parseInteger(this.string(name), this.label(name), min, max);
  }

  optionalInteger(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : parseInteger(value, this.label(name), min, max);
  }

  /** Positionals read as `<name>`, options as `--name`. */
  private label(name: string): string {
    return this.positionalNames.has(name) ? `<${name}>` : `--${name}`;
  }
}

/** Prints `text` in text mode, `json` (pretty) in JSON mode. */
export function print(context: CommandContext, text: string, json: unknown): void {
  if (context.output === 'json') context.io.out(toJson(json));
  else context.io.out(text);
}

/** Reports a finished action: the sentence in text mode, `{ ok, message, ...details }` in JSON mode. */
export function done(context: CommandContext, message: string, details: Readonly<Record<string, unknown>> = {}): void {
  print(context, message, { ok: true, message, ...details });
}

/** `'dev'` for names, `1` for ids: how a resource the user typed is echoed back. */
export function shown(id: Identifier): string {
  return typeof id === 'number' ? String(id) : `'${id}'`;
}
