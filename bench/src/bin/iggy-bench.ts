#!/usr/bin/env node
/**
 * iggy-bench: runs one benchmark kind against a spawned or existing server and reports it as a
 * table (or JSON with --json) on stdout, plus JSON and HTML files in --output-dir.
 * Exit codes: 0 done, 1 the run failed, 2 the command line is wrong.
 */
import { ConfigError } from '../config.js';
import { parseBenchArgs } from '../args.js';
import { runBenchmark } from '../runner.js';
import { writeReports } from '../report/files.js';
import { renderTable } from '../report/table.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`iggy-bench: ${error.message}\nRun iggy-bench --help for the kinds and options.\n`);
      return 2;
    }
    throw error;
  }
  if (args.action !== 'run') {
    process.stdout.write(`${args.text}\n`);
    return 0;
  }
  const config = args.config;
  let result;
  try {
    result = await runBenchmark(config);
  } catch (error) {
    process.stderr.write(`iggy-bench: ${config.kind} failed: ${(error as Error).message}\n`);
    return 1;
  }
  const files = writeReports(result, config.outputDir, config.html);
  if (config.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${renderTable(result, files)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`iggy-bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
