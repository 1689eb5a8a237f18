// Logging: one pino root logger per thread, JSON lines (no pretty printing in the server), and one
// child logger per module carrying a `module` field, so a line can be traced to its component
// (`{"level":"info","module":"tcp-listener",...}`). Writes are synchronous: logging is off the
// message hot path, and a crash must not lose the lines that explain it.

import pino from 'pino';
import type { LogLevel } from './config/schema.js';

export type Logger = pino.Logger;
export type LogDestination = pino.DestinationStream;

export interface CreateLoggerOptions {
  /** Least severe level written; 'silent' writes nothing (tests). */
  readonly level: LogLevel;
  /** Also append the lines to this file; its directory is created. */
  readonly file?: string | null | undefined;
  /** Write here instead of stdout (tests capture lines this way). */
  readonly destination?: LogDestination | undefined;
  /** Fields on every line, e.g. `{ shard: 3 }` in a shard worker. */
  readonly base?: Readonly<Record<string, unknown>> | undefined;
}

/** The root logger of this thread. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const primary = options.destination ?? pino.destination({ dest: 1, sync: true });
  const stream =
    options.file === undefined || options.file === null || options.file === ''
      ? primary
      : pino.multistream([
          // 'trace' here: the logger's own level already filters, and it may change at run time.
          { level: 'trace', stream: primary },
          { level: 'trace', stream: pino.destination({ dest: options.file, mkdir: true, sync: true }) },
        ]);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

const childrenByLogger = new WeakMap<Logger, Map<string, Logger>>();

/** The logger of `module` (e.g. "tcp-listener"); the same child for the same module and parent. */
export function childLogger(logger: Logger, module: string): Logger {
  let children = childrenByLogger.get(logger);
  if (children === undefined) {
    children = new Map();
    childrenByLogger.set(logger, children);
  }
  let child = children.get(module);
  if (child === undefined) {
    child = logger.child({ module });
    children.set(module, child);
  }
  return child;
}
