/**
 * The OpenAPI 3.1 document, generated from the route table and the schema registry: the same
 * objects the request pipeline validates against. Error responses are added uniformly: 400 on every
 * route, 401/403 on authenticated routes, 404 on routes with path parameters, 413 with a body.
 */
import type { AnyRoute } from './route.js';
import type { Schema, SchemaRegistry } from './schema.js';
import { ErrorResponse } from './components.js';

export interface OpenApiInfo {
  readonly version: string;
  readonly requestSizeBytesMax: number;
}

const errorContent = { 'application/json': { schema: ErrorResponse } };

function parameters(route: AnyRoute): unknown[] {
  const list: unknown[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) list.push({ name, in: 'path', required: true, schema });
  const query = route.query;
  if (query !== undefined) {
    for (const [name, schema] of Object.entries(query.properties)) {
      const entry: Record<string, unknown> = { name, in: 'query', required: (query.required ?? []).includes(name), schema };
      if (schema.description !== undefined) entry.description = schema.description;
      list.push(entry);
    }
  }
  return list;
}

function responses(route: AnyRoute, info: OpenApiInfo): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const entry: Record<string, unknown> = { description: spec.description };
    if (spec.schema !== undefined) entry.content = { 'application/json': { schema: spec.schema } };
    else if (spec.contentType !== undefined) entry.content = { [spec.contentType]: { schema: spec.contentType.startsWith('text/') ? { type: 'string' } : { type: 'string', contentMediaType: spec.contentType } } };
    result[status] = entry;
  }
  result['400'] = { description: 'Malformed request (InvalidFormat 4, naming the field) or an Iggy error not listed below', content: errorContent };
  if (!route.public) {
    result['401'] = { description: 'Missing, invalid, expired or revoked token (empty body), or an authentication error' };
    result['403'] = { description: 'The user lacks the permission (Unauthorized 41)', content: errorContent };
  }
  if (route.params !== undefined && Object.keys(route.params).length > 0) {
    result['404'] = { description: 'Not found: {"id":404,"code":"not_found",...} or a *_not_found Iggy error', content: errorContent };
  }
  if (route.body !== undefined) result['413'] = { description: `Request body larger than http.max_request_size (${info.requestSizeBytesMax} bytes)`, content: errorContent };
  return result;
}

export function buildOpenApiDocument(routes: readonly AnyRoute[], registry: SchemaRegistry, info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: route.public ? [] : [{ bearerAuth: [] }],
    };
    const list = parameters(route);
    if (list.length > 0) operation.parameters = list;
    if (route.body !== undefined) operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    operation.responses = responses(route, info);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  const componentSchemas: Record<string, Schema> = {};
  for (const [name, schema] of registry.entries()) componentSchemas[name] = schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'iggy-ts HTTP API',
      version: info.version,
      description:
        'The HTTP REST API of Apache Iggy 0.8, served by iggy-ts. Log in with POST /users/login (or /personal-access-tokens/login) and send the returned token as "Authorization: Bearer <token>".',
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
