/**
 * Facts about where a benchmark ran, recorded with every result: the code (git commit, dirty or
 * not), the machine (CPU, cores, memory, kernel) and Node.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export interface EnvironmentFacts {
  benchVersion: string;
  gitCommit: string | undefined;
  /** Uncommitted changes in the working tree when the bench ran. */
  gitDirty: boolean | undefined;
  nodeVersion: string;
  platform: string;
  arch: string;
  kernel: string;
  cpuModel: string;
  cpusCount: number;
  memoryTotalBytes: number;
  hostname: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage1m: number;
}

function git(args: readonly string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return undefined;
  }
}

export function collectEnvironment(): EnvironmentFacts {
  const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const commit = git(['rev-parse', 'HEAD'], packageDirectory);
  const status = commit === undefined ? undefined : git(['status', '--porcelain', '--untracked-files=no'], packageDirectory);
  const cpus = os.cpus();
  return {
    benchVersion: packageJson.version,
    gitCommit: commit,
    gitDirty: status === undefined ? undefined : status.length > 0,
    nodeVersion: process.version,
    platform: os.platform(),
    arch: os.arch(),
    kernel: os.release(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpusCount: cpus.length,
    memoryTotalBytes: os.totalmem(),
    hostname: os.hostname(),
    loadAverage1m: os.loadavg()[0]!,
  };
}
