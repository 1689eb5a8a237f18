// yargs 18 ships no type declarations for its ESM entry point (and @types/yargs describes 17).
// This declares the part of the API that the bench's `args.ts` uses (a copy of the server's declaration). Remove it if the package gains types.

declare module 'yargs' {
  interface YargsOptionDefinition {
    type?: 'string' | 'boolean' | 'number' | 'array' | 'count';
    describe?: string;
    default?: unknown;
    choices?: readonly string[];
    requiresArg?: boolean;
    alias?: string | readonly string[];
  }

  interface YargsArguments {
    readonly _: readonly (string | number)[];
    readonly $0: string;
    readonly [name: string]: unknown;
  }

  type YargsParseCallback = (error: Error | null | undefined, argv: YargsArguments, output: string) => void;

  interface YargsInstance {
    scriptName(name: string): YargsInstance;
    usage(message: string): YargsInstance;
    epilogue(message: string): YargsInstance;
    options(options: Readonly<Record<string, YargsOptionDefinition>>): YargsInstance;
    strict(enabled?: boolean): YargsInstance;
    strictOptions(enabled?: boolean): YargsInstance;
    version(version: string): YargsInstance;
    help(): YargsInstance;
    alias(key: string, alias: string): YargsInstance;
    wrap(columns: number | null): YargsInstance;
    parserConfiguration(configuration: Readonly<Record<string, boolean>>): YargsInstance;
    parse(args: readonly string[], context: object, callback: YargsParseCallback): YargsArguments;
  }

  function yargs(args?: readonly string[]): YargsInstance;
  export default yargs;
}
