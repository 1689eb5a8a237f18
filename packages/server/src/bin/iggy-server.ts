#!/usr/bin/env node
/**
 * iggy-server: starts the server with the configuration from --config / IGGY_CONFIG_PATH, IGGY_*
 * environment variables and command-line options; stops cleanly (every shard flushed) on SIGINT/SIGTERM.
 */
import { ArgsError, ConfigError, loadConfigFromArgs, parseServerArgs } from '../config/index.js';
import { IggyServer } from '../server.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseServerArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ArgsError) {
      process.stderr.write(`iggy-server: ${error.message}\nRun iggy-server --help for the options.\n`);
      return 2;
    }
    throw error;
  }
  if (args.action !== 'run') {
    process.stdout.write(`${args.text}\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfigFromArgs(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let server: IggyServer;
  try {
    server = await IggyServer.start({ config, fresh: args.fresh });
  } catch (error) {
    process.stderr.write(`iggy-server: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      process.stderr.write(`iggy-server: ${signal} received, flushing and stopping\n`);
      server.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`iggy-server: error while stopping: ${(error as Error).message}\n`);
        resolve();
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`iggy-server: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
