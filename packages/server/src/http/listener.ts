/**
 * The HTTP transport: an adapter onto the router. Builds the route table, the OpenAPI document and
 * the request pipeline, then starts the configured engine (uWebSockets.js or node:http, with TLS
 * when `http.tls.enabled`). Every route turns its JSON into a binary request, runs it through
 * `router.handle` and renders the binary response as 0.8 JSON (docs/http-api.md).
 */
import type { Logger } from 'pino';
import { parseListenAddress } from '../config/address.js';
import type { ServerState } from '../router/context.js';
import type { Router } from '../router/router.js';
import { IGGY_PROTOCOL_VERSION } from '../router/handlers/system.js';
import type { Listener, ListenerFactory } from '../transports/listener.js';
import { HttpApp } from './app.js';
import { schemas } from './components.js';
import { chooseEngine, loadUws, type HttpEngineName, type RunningEngine, type UwsModule } from './engine.js';
import { startNodeEngine } from './engine-node.js';
import { startUwsEngine } from './engine-uws.js';
import { JwtManager, generateJwtSecret } from './jwt.js';
import { HttpMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { RouteTable, type HttpApi } from './route.js';
import { allRoutes } from './routes/index.js';
import { resolveHttpTls } from './tls.js';

export interface HttpListener extends Listener {
  /** The engine actually serving (after any fallback). */
  readonly engine: HttpEngineName;
  readonly api: HttpApi;
}

export interface HttpListenerDependencies {
  /** Loads uWebSockets.js (tests replace it to simulate a platform without the addon). */
  readonly loadUws?: () => UwsModule;
  /** Milliseconds since epoch, for token times. */
  readonly clock?: () => number;
}

/** Starts the HTTP API as configured in `state.config.http`, or returns undefined when disabled. */
export async function startHttpApi(state: ServerState, router: Router, logger: Logger, dependencies: HttpListenerDependencies = {}): Promise<HttpListener | undefined> {
  const config = state.config.http;
  if (!config.enabled) return undefined;
  const address = parseListenAddress(config.address);
  const choice = chooseEngine(config.engine, logger, dependencies.loadUws ?? loadUws);

  let secret: Buffer;
  if (config.jwt.secret === null) {
    secret = generateJwtSecret();
    logger.warn('http.jwt.secret is not set: tokens are signed with a random secret and become invalid when the server restarts');
  } else {
    secret = Buffer.from(config.jwt.secret, 'utf8');
  }
  const jwt = new JwtManager({ secret, accessTokenExpirySeconds: Math.max(1, Math.floor(config.jwt.accessTokenExpiryMs / 1000)), clock: dependencies.clock });
  const metrics = new HttpMetrics();
  const routes = allRoutes({ metricsEnabled: config.metrics.enabled });
  const document = buildOpenApiDocument(routes, schemas, { version: IGGY_PROTOCOL_VERSION, requestSizeBytesMax: config.requestSizeBytesMax });
  const api: HttpApi = { state, router, jwt, metrics, schemas, logger, openApiDocument: () => document };
  const app = new HttpApp(api, new RouteTable(routes), config.cors, config.requestSizeBytesMax);

  const tls = await resolveHttpTls(config.tls, address.host, logger);
  const engineOptions = {
    host: address.host,
    port: address.port,
    tls: tls?.tls,
    requestSizeBytesMax: config.requestSizeBytesMax,
    handle: app.handle.bind(app),
    payloadTooLarge: app.payloadTooLarge.bind(app),
    logger,
  };
  let engine: RunningEngine;
  try {
    engine = choice.uws !== undefined ? await startUwsEngine(choice.uws, engineOptions) : await startNodeEngine(engineOptions);
  } catch (error) {
    tls?.cleanup();
    throw error;
  }
  metrics.start();
  // Revoked tokens are pruned on every revocation; this sweep bounds memory after a burst of logouts.
  const pruneTimer = setInterval(() => jwt.prune(), 60_000);
  pruneTimer.unref();
  logger.info({ address: `${address.host}:${engine.port}`, engine: engine.name, tls: tls !== undefined }, 'HTTP API started');
  return {
    port: engine.port,
    engine: engine.name,
    api,
    stop: async () => {
      clearInterval(pruneTimer);
      metrics.stop();
      await engine.stop();
      tls?.cleanup();
    },
  };
}

export const startHttpListener: ListenerFactory = (state, router, logger) => startHttpApi(state, router, logger);
