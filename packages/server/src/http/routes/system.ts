/** `/`, `/ping`, `/metrics`, `/openapi.json`, `/stats`, `/cluster/metadata`, `/clients`, `/snapshot` (0.8 `http/system.rs`). */
import {
  CommandCode,
  SnapshotCompression,
  SnapshotType,
  decodeGetClientResponse,
  decodeGetClientsResponse,
  decodeGetClusterMetadataResponse,
  decodeGetSnapshotResponse,
  decodeGetStatsResponse,
  encodeGetClientRequest,
  encodeGetClientsRequest,
  encodeGetClusterMetadataRequest,
  encodeGetSnapshotRequest,
  encodeGetStatsRequest,
} from '@iggy-ts/protocol';
import { ClientInfo, ClientInfoDetails, ClusterMetadata, Stats, bodies, uint32Param } from '../components.js';
import { iggyProblem, notFoundProblem } from '../errors.js';
import { defineRoute, json, text, type AnyRoute } from '../route.js';
import { clientDetailsJson, clientInfoJson, clusterMetadataJson, statsJson } from '../views.js';

const TEXT = 'text/plain; charset=utf-8';

export function systemRoutes(options: { metricsEnabled: boolean }): AnyRoute[] {
  const routes: AnyRoute[] = [
    defineRoute({
      method: 'GET',
      path: '/',
      operationId: 'banner',
      summary: 'API banner',
      tag: 'system',
      public: true,
      responses: { 200: { description: 'The text "Iggy API"', contentType: TEXT } },
      handle: () => text(200, 'Iggy API'),
    }),
    defineRoute({
      method: 'GET',
      path: '/ping',
      operationId: 'ping',
      summary: 'Liveness',
      tag: 'system',
      public: true,
      responses: { 200: { description: 'The text "pong"', contentType: TEXT } },
      handle: () => text(200, 'pong'),
    }),
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This API as an OpenAPI 3.1 document (generated from the route table)',
      tag: 'system',
      public: true,
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: { type: 'object' } } },
      handle: (context) => json(200, context.api.openApiDocument()),
    }),
    defineRoute({
      method: 'GET',
      path: '/stats',
      operationId: 'getStats',
      summary: 'Server statistics (needs read_servers or manage_servers)',
      tag: 'system',
      responses: { 200: { description: 'Stats', schema: Stats } },
      handle: async (context) => json(200, statsJson(await context.call(CommandCode.GetStats, encodeGetStatsRequest(), decodeGetStatsResponse))),
    }),
    defineRoute({
      method: 'GET',
      path: '/cluster/metadata',
      operationId: 'getClusterMetadata',
      summary: 'Cluster metadata (one node)',
      tag: 'system',
      responses: { 200: { description: 'ClusterMetadata', schema: ClusterMetadata } },
      handle: async (context) =>
        json(200, clusterMetadataJson(await context.call(CommandCode.GetClusterMetadata, encodeGetClusterMetadataRequest(), decodeGetClusterMetadataResponse))),
    }),
    defineRoute({
      method: 'GET',
      path: '/clients',
      operationId: 'getClients',
      summary: 'Connected clients (needs read_servers)',
      tag: 'system',
      responses: { 200: { description: 'Clients, ascending id', schema: { type: 'array', items: ClientInfo } } },
      handle: async (context) => {
        const clients = await context.call(CommandCode.GetClients, encodeGetClientsRequest(), decodeGetClientsResponse);
        return json(200, [...clients].sort((a, b) => a.clientId - b.clientId).map(clientInfoJson));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/clients/{client_id}',
      operationId: 'getClient',
      summary: 'One connected client (needs read_servers)',
      tag: 'system',
      params: { client_id: uint32Param },
      responses: { 200: { description: 'ClientInfoDetails', schema: ClientInfoDetails } },
      handle: async (context) => {
        const clientId = Number(context.params.client_id);
        const client = await context.call(CommandCode.GetClient, encodeGetClientRequest({ clientId }), decodeGetClientResponse);
        if (client === undefined) throw notFoundProblem();
        return json(200, clientDetailsJson(client));
      },
    }),
    defineRoute<{ compression: keyof typeof SnapshotCompression; snapshot_types: (keyof typeof SnapshotType)[] }>({
      method: 'POST',
      path: '/snapshot',
      operationId: 'getSnapshot',
      summary: 'Diagnostic snapshot as a ZIP file',
      tag: 'system',
      body: bodies.snapshot,
      responses: { 200: { description: 'ZIP archive', contentType: 'application/zip' } },
      handle: async (context) => {
        const types = context.body.snapshot_types;
        // 0.8: "All" cannot be combined with other types.
        if (types.includes('All') && types.length > 1) throw iggyProblem(3, 'snapshot type "All" cannot be combined with other types', 'snapshot_types');
        const payload = encodeGetSnapshotRequest({ compression: SnapshotCompression[context.body.compression], types: types.map((type) => SnapshotType[type]) });
        const zip = await context.call(CommandCode.GetSnapshot, payload, decodeGetSnapshotResponse);
        const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
        return { status: 200, bytes: zip, contentType: 'application/zip', headers: { 'content-disposition': `attachment; filename="iggy_snapshot_${stamp}.zip"` } };
      },
    }),
  ];
  if (options.metricsEnabled) {
    routes.splice(
      2,
      0,
      defineRoute({
        method: 'GET',
        path: '/metrics',
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition 0.0.4)',
        tag: 'system',
        public: true,
        responses: { 200: { description: 'Metrics', contentType: 'text/plain; version=0.0.4; charset=utf-8' } },
        handle: async (context) => text(200, await context.api.metrics.render(context.api.state, context.api.router), 'text/plain; version=0.0.4; charset=utf-8'),
      }),
    );
  }
  return routes;
}
