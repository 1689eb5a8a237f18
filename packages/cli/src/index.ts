/**
 * @iggy-ts/cli: the `iggy` command line. `runCli` runs one command line and resolves with its
 * exit code; the command table and parsers are exported for embedding and tests.
 */
export { runCli, type RunOptions } from './cli.js';
export { parseCommandLine, commandUsage, type ParsedCommandLine } from './args.js';
export { COMMANDS, FAMILIES, GLOBAL_OPTIONS } from './commands/index.js';
export type { CommandSpec, CommandContext, CommandFamily, PositionalSpec } from './commands/command.js';
export { resolveConnection, normaliseAddress, DEFAULT_ADDRESS, type ConnectionSettings, type GlobalOptions } from './connection.js';
export { describeError, CliError, UsageError, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
export { complete, tokenize, runShell } from './shell.js';
export { contextDirectory, loadSession, saveSession, deleteSession, sessionTokenName, CONTEXT_DIR_ENV, type Session } from './session.js';
export { parseDurationUs, parseSizeBytes, parseHeader, parseIdentifier } from './values.js';
