/** Every route of the HTTP API, in the order of reference 9.3; the router and the OpenAPI document both read this list. */
import type { AnyRoute } from '../route.js';
import { consumerGroupRoutes, consumerOffsetRoutes, messageRoutes } from './messages.js';
import { streamRoutes, topicRoutes } from './streams.js';
import { systemRoutes } from './system.js';
import { personalAccessTokenRoutes, userRoutes } from './users.js';

export interface RouteOptions {
  /** Serve `/metrics` (`http.metrics.enabled`). */
  readonly metricsEnabled: boolean;
}

export function allRoutes(options: RouteOptions): AnyRoute[] {
  return [
    ...systemRoutes(options),
    ...userRoutes(),
    ...personalAccessTokenRoutes(),
    ...streamRoutes(),
    ...topicRoutes(),
    ...messageRoutes(),
    ...consumerOffsetRoutes(),
    ...consumerGroupRoutes(),
  ];
}
