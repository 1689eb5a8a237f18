/**
 * The OpenAPI 3.1 document is generated from the route table: it validates against the OpenAPI 3.1
 * schema, names every route exactly once, and is what /openapi.json serves.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemas } from '../../src/http/components.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { allRoutes } from '../../src/http/routes/index.js';
import { client, startHttpServer, type HttpTestServer } from './helpers.js';

const routes = allRoutes({ metricsEnabled: true });
const document = buildOpenApiDocument(routes, schemas, { version: '0.8.0', requestSizeBytesMax: 2_000_000 }) as {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; security: unknown[]; parameters?: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('declares every route once, with its parameters, body, security and error responses', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    expect(operations).toHaveLength(routes.length);
    for (const route of routes) {
      const operation = document.paths[route.path]![route.method.toLowerCase()]!;
      expect(operation.operationId).toBe(route.operationId);
      expect(operation.security).toEqual(route.public ? [] : [{ bearerAuth: [] }]);
      const pathParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
      expect(pathParameters).toEqual([...route.path.matchAll(/\{([a-z_]+)\}/g)].map((match) => match[1]));
      expect(operation.requestBody !== undefined).toBe(route.body !== undefined);
      expect(operation.responses['400']).toBeDefined();
      expect(operation.responses['401'] !== undefined).toBe(!route.public);
    }
    const poll = document.paths['/streams/{stream_id}/topics/{topic_id}/messages']!.get!;
    expect(poll.parameters!.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name)).toEqual(['consumer_id', 'partition_id', 'kind', 'value', 'count', 'auto_commit']);
  });

  it('resolves every schema reference', () => {
    const text = JSON.stringify(document);
    for (const match of text.matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)) expect(document.components.schemas, match[1]).toHaveProperty(match[1]!);
  });

  describe('served at /openapi.json', () => {
    let server: HttpTestServer;
    beforeAll(async () => {
      server = await startHttpServer('node', { metrics: { enabled: false } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('serves the generated document for the routes of its configuration', async () => {
      const reply = await client(server.base).get('/openapi.json');
      expect(reply.status).toBe(200);
      expect(reply.json.paths['/metrics']).toBeUndefined();
      expect(Object.keys(reply.json.paths)).toEqual(Object.keys(document.paths).filter((path) => path !== '/metrics'));
    });
  });
});
