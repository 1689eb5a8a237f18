/**
 * HTTP engines: the socket layer under the shared pipeline (app.ts). Two implement the same contract:
 * uWebSockets.js (`uwebsockets` package, a native addon: fastest, but only for glibc Linux, macOS
 * and Windows on the Node ABIs it ships) and node:http / node:https (everywhere).
 *
 * `http.engine = "auto"` picks uWS and falls back to node:http, with a warning, when the addon cannot
 * load (another libc, an unsupported Node ABI, a missing binary); `"uws"` fails the start instead.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { IncomingRequest, OutgoingResponse } from './app.js';

export type HttpEngineName = 'uws' | 'node';
export type HttpEngineSetting = 'auto' | HttpEngineName;

export interface EngineTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface EngineOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: EngineTls | undefined;
  readonly requestSizeBytesMax: number;
  readonly handle: (request: IncomingRequest) => Promise<OutgoingResponse>;
  readonly payloadTooLarge: (request: Pick<IncomingRequest, 'method' | 'path' | 'header'>) => OutgoingResponse;
  readonly logger: Logger;
}

export interface RunningEngine {
  readonly name: HttpEngineName;
  readonly port: number;
  stop(): Promise<void>;
}

/** The `uwebsockets` module (types from its index.d.ts). */
export type UwsModule = typeof import('uwebsockets');

/** Loads the uWS addon; throws when it cannot load on this platform. */
export function loadUws(): UwsModule {
  const require = createRequire(import.meta.url);
  return require('uwebsockets') as UwsModule;
}

export interface EngineChoice {
  readonly name: HttpEngineName;
  /** The loaded addon when `name` is "uws". */
  readonly uws: UwsModule | undefined;
}

/** Resolves the configured engine; `load` is injectable so tests can simulate a missing addon. */
export function chooseEngine(setting: HttpEngineSetting, logger: Logger, load: () => UwsModule = loadUws): EngineChoice {
  if (setting === 'node') return { name: 'node', uws: undefined };
  try {
    return { name: 'uws', uws: load() };
  } catch (error) {
    if (setting === 'uws') throw new Error(`http.engine = "uws" but uWebSockets.js cannot load: ${(error as Error).message}`, { cause: error });
    logger.warn({ err: error }, 'uWebSockets.js cannot load on this platform; the HTTP API falls back to node:http');
    return { name: 'node', uws: undefined };
  }
}
