// yargs 18 ships no type declarations for its ESM entry point (and @types/yargs describes 17).
// This declares the part of the API the CLI uses (see args.ts). Remove it if the package gains types.

declare module 'yargs' {
  export interface YargsOptionDefinition {
    type?: 'string' | 'boolean' | 'number' | 'array' | 'count';
    describe?: string;
    default?: unknown;
    choices?: readonly string[];
    requiresArg?: boolean;
    alias?: string | readonly string[];
    array?: boolean;
    hidden?: boolean;
  }

  export interface YargsPositionalDefinition {
    type?: 'string' | 'number' | 'boolean';
    describe?: string;
    array?: boolean;
    default?: unknown;
  }

  export interface YargsArguments {
    readonly _: readonly (string | number)[];
    readonly $0: string;
    readonly [name: string]: unknown;
  }

  export type YargsParseCallback = (error: Error | null | undefined, argv: YargsArguments, output: string) => void;

  export interface YargsInstance {
    scriptName(name: string): YargsInstance;
    usage(message: string): YargsInstance;
    epilogue(message: string): YargsInstance;
    example(command: string, description: string): YargsInstance;
    options(options: Readonly<Record<string, YargsOptionDefinition>>): YargsInstance;
    positional(name: string, definition: YargsPositionalDefinition): YargsInstance;
    command(command: string, describe: string, builder: (yargs: YargsInstance) => YargsInstance, handler?: (argv: YargsArguments) => void): YargsInstance;
    demandCommand(min: number, message: string): YargsInstance;
    group(options: readonly string[], heading: string): YargsInstance;
    strict(enabled?: boolean): YargsInstance;
    exitProcess(enabled: boolean): YargsInstance;
    version(version: string | false): YargsInstance;
    help(): YargsInstance;
    alias(key: string, alias: string): YargsInstance;
    wrap(columns: number | null): YargsInstance;
    parserConfiguration(configuration: Readonly<Record<string, boolean>>): YargsInstance;
    parse(args: readonly string[], context: object, callback: YargsParseCallback): YargsArguments;
  }

  function yargs(args?: readonly string[]): YargsInstance;
  export default yargs;
}
