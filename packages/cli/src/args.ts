/**
 * The yargs parser built from the command table. Parsing never prints and never exits: help and
 * version come back as text, mistakes as one readable line, and a valid command line as the
 * chosen command with its arguments (the caller runs it, so the shell can reuse the parser).
 */
import { readFileSync } from 'node:fs';
import yargs, { type YargsArguments, type YargsInstance } from 'yargs';
import type { CommandSpec, PositionalSpec } from './commands/command.js';
import { FAMILIES, GLOBAL_OPTIONS, commandsOf, topLevelCommands } from './commands/index.js';

export type ParsedCommandLine =
  | { readonly kind: 'output'; readonly text: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'command'; readonly spec: CommandSpec; readonly argv: YargsArguments };

export function cliVersion(): string {
  // src/args.ts and dist/args.js both sit one level below the package root.
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

function positionalUsage(positional: PositionalSpec): string {
  const inner = `${positional.name}${positional.variadic === true ? '..' : ''}`;
  return positional.optional === true ? `[${inner}]` : `<${inner}>`;
}

/** `create <name>`: the yargs command string of a spec (last word plus positionals). */
export function commandUsage(spec: CommandSpec): string {
  return [spec.path[spec.path.length - 1]!, ...(spec.positionals ?? []).map(positionalUsage)].join(' ');
}

function addCommand(parser: YargsInstance, spec: CommandSpec, select: (spec: CommandSpec, argv: YargsArguments) => void): YargsInstance {
  return parser.command(
    commandUsage(spec),
    spec.describe,
    (command) => {
      let built = command;
      for (const positional of spec.positionals ?? []) built = built.positional(positional.name, { type: 'string', describe: positional.describe, ...(positional.variadic === true ? { array: true } : {}) });
      if (spec.options !== undefined) built = built.options(spec.options).group(Object.keys(spec.options), 'Options:');
      for (const [example, description] of spec.examples ?? []) built = built.example(example, description);
      return built;
    },
    (argv) => select(spec, argv),
  );
}

function buildParser(extraCommands: readonly CommandSpec[], select: (spec: CommandSpec, argv: YargsArguments) => void): YargsInstance {
  let parser = yargs()
    .scriptName('iggy')
    .usage('$0 <command> [options]\n\nCommand line for iggy-ts and Apache Iggy 0.8 servers.')
    .parserConfiguration({ 'parse-positional-numbers': false, 'populate--': true, 'camel-case-expansion': false })
    .options(GLOBAL_OPTIONS)
    .group([...Object.keys(GLOBAL_OPTIONS), 'help', 'version'], 'Global options:');
  for (const family of FAMILIES) {
    const commands = commandsOf(family.name);
    parser = parser.command(family.name, family.describe, (sub) => {
      let built = sub;
      for (const spec of commands) built = addCommand(built, spec, select);
      return built.demandCommand(1, `choose a ${family.name} command: ${commands.map((spec) => spec.path[1]).join(', ')}`);
    });
  }
  for (const spec of [...topLevelCommands(), ...extraCommands]) parser = addCommand(parser, spec, select);
  return parser
    .demandCommand(1, 'choose a command')
    .epilogue('Identifiers: a string of digits is a numeric id, anything else a name. Run `iggy <command> --help` for the options of a command.')
    .strict()
    .exitProcess(false)
    .help()
    .alias('help', 'h')
    .version(cliVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100));
}

/** The spec the command words name, if any (for error messages). */
function specNamedBy(words: readonly string[], extraCommands: readonly CommandSpec[]): CommandSpec | undefined {
  const all = [...FAMILIES.flatMap((family) => commandsOf(family.name)), ...topLevelCommands(), ...extraCommands];
  return all.find((spec) => spec.path.every((word, index) => words[index] === word));
}

/**
 * yargs' messages → one readable line. `words` are the non-option words yargs saw (command words
 * and unexpected arguments, option values excluded).
 */
function readableError(message: string, output: string, argv: readonly string[], words: readonly string[], extraCommands: readonly CommandSpec[]): string {
  const spec = specNamedBy(words, extraCommands);
  const usageLine = output.split('\n')[0]?.trim() ?? '';
  const usage = spec !== undefined && usageLine.startsWith('iggy ') ? ` (usage: ${usageLine})` : '';
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown !== null) {
    const names = unknown[1]!.split(', ');
    const option = names.find((name) => argv.includes(`--${name}`) || argv.includes(`-${name}`) || argv.some((word) => word.startsWith(`--${name}=`)));
    if (option !== undefined) return `unknown option ${option.length === 1 ? '-' : '--'}${option}${usage}`;
    const first = words[0];
    if (first !== undefined && names.includes(first)) return `unknown command '${first}' (run iggy --help for the list)`;
    const family = FAMILIES.find((candidate) => candidate.name === first);
    if (family !== undefined && spec === undefined) {
      return `unknown ${family.name} command '${names[0]}' (use ${commandsOf(family.name).map((command) => command.path[1]).join(', ')})`;
    }
    return `unexpected argument '${names[0]}'${usage}`;
  }
  const notEnough = /^Not enough non-option arguments: got (\d+)/.exec(message);
  if (notEnough !== null && spec !== undefined) {
    const required = (spec.positionals ?? []).filter((positional) => positional.optional !== true);
    const missing = required[Number(notEnough[1])];
    return `missing argument ${missing === undefined ? '' : `<${missing.name}> `}${usage.trim()}`.trim();
  }
  if (/^Too many non-option arguments/.test(message)) return `too many arguments${usage}`;
  const invalid = /Argument: (\S+), Given: (.+), Choices: (.+)/.exec(message.replace(/\s+/g, ' '));
  if (invalid !== null) return `invalid value ${invalid[2]} for --${invalid[1]} (choose ${invalid[3]!.replace(/"/g, '')})`;
  const noValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (noValue !== null) return `--${noValue[1]} needs a value${usage}`;
  const required = /^Missing required arguments?: (.+)$/.exec(message);
  if (required !== null) return `missing option --${required[1]}${usage}`;
  return message.replace(/\s*\n\s*/g, ' ');
}

/** Parses one command line (without the program name). */
export function parseCommandLine(argv: readonly string[], extraCommands: readonly CommandSpec[] = []): ParsedCommandLine {
  let selected: { spec: CommandSpec; argv: YargsArguments } | undefined;
  let result: ParsedCommandLine | undefined;
  const parser = buildParser(extraCommands, (spec, parsed) => {
    selected = { spec, argv: parsed };
  });
  parser.parse([...argv], {}, (error, parsed, output) => {
    const words = (parsed?._ ?? []).map(String);
    if (error !== null && error !== undefined) result = { kind: 'error', message: readableError(error.message, output, argv, words, extraCommands) };
    else if (output !== '') result = { kind: 'output', text: output };
  });
  if (result !== undefined) return result;
  if (selected !== undefined) return { kind: 'command', spec: selected.spec, argv: selected.argv };
  return { kind: 'error', message: 'choose a command (run iggy --help for the list)' };
}
