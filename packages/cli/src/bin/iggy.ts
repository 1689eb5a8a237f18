#!/usr/bin/env node
// The `iggy` command. Exit codes: 0 ok, 1 the command failed, 2 the command line is malformed.
import { runCli } from '../cli.js';

// A closed pipe (`iggy message poll ... | head`) ends the output quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
