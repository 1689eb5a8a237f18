import { describe, expect, it } from 'vitest';
import { RouteTable, defineRoute, noContent, type AnyRoute } from '../../src/http/route.js';
import { allRoutes } from '../../src/http/routes/index.js';

const id = { type: 'string' } as const;
const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params: Record<string, typeof id> = {}): AnyRoute =>
  defineRoute({ method, path, operationId: `${method}${path}`, summary: '', tag: 't', params, responses: { 204: { description: '' } }, handle: () => noContent() });

describe('route table', () => {
  const table = new RouteTable([
    route('GET', '/users/{user_id}', { user_id: id }),
    route('DELETE', '/users/{user_id}', { user_id: id }),
    route('DELETE', '/users/logout'),
    route('POST', '/users/login'),
    route('GET', '/'),
  ]);

  it('prefers a literal segment over a parameter', () => {
    const match = table.match('DELETE', '/users/logout');
    expect(match.kind === 'found' && match.route.path).toBe('/users/logout');
    const user = table.match('DELETE', '/users/7');
    expect(user.kind === 'found' && user.params).toEqual({ user_id: '7' });
  });

  it('answers 405 with the allowed methods of the most specific template', () => {
    expect(table.match('GET', '/users/logout')).toEqual({ kind: 'method_not_allowed', path: '/users/logout', allowed: ['DELETE'] });
  });

  it('percent-decodes parameters and rejects undecodable ones', () => {
    const match = table.match('GET', '/users/caf%C3%A9%20x');
    expect(match.kind === 'found' && match.params.user_id).toBe('café x');
    expect(table.match('GET', '/users/%E0%A4%A').kind).toBe('bad_path');
  });

  it('does not match empty segments, extra segments or unknown paths', () => {
    expect(table.match('GET', '/users/').kind).toBe('not_found');
    expect(table.match('GET', '/users/1/extra').kind).toBe('not_found');
    expect(table.match('GET', '/').kind).toBe('found');
  });

  it('refuses a template whose parameter has no schema, and duplicate routes', () => {
    expect(() => new RouteTable([route('GET', '/a/{b}')])).toThrow('lacks a schema');
    expect(() => new RouteTable([route('GET', '/a'), route('GET', '/a')])).toThrow('declared twice');
  });

  it('holds every route of reference 9.3 with unique operation ids', () => {
    const routes = allRoutes({ metricsEnabled: true });
    const declared = new Set(routes.map((entry) => `${entry.method} ${entry.path}`));
    const reference = [
      'GET /', 'GET /ping', 'GET /metrics', 'GET /stats', 'GET /cluster/metadata', 'GET /clients', 'GET /clients/{client_id}', 'POST /snapshot',
      'POST /users/login', 'DELETE /users/logout', 'POST /users/refresh-token', 'GET /users', 'POST /users', 'GET /users/{user_id}', 'PUT /users/{user_id}',
      'DELETE /users/{user_id}', 'PUT /users/{user_id}/permissions', 'PUT /users/{user_id}/password', 'GET /personal-access-tokens', 'POST /personal-access-tokens',
      'DELETE /personal-access-tokens/{name}', 'POST /personal-access-tokens/login', 'GET /streams', 'POST /streams', 'GET /streams/{stream_id}',
      'PUT /streams/{stream_id}', 'DELETE /streams/{stream_id}', 'DELETE /streams/{stream_id}/purge', 'GET /streams/{stream_id}/topics',
      'POST /streams/{stream_id}/topics', 'GET /streams/{stream_id}/topics/{topic_id}', 'PUT /streams/{stream_id}/topics/{topic_id}',
      'DELETE /streams/{stream_id}/topics/{topic_id}', 'DELETE /streams/{stream_id}/topics/{topic_id}/purge', 'POST /streams/{stream_id}/topics/{topic_id}/partitions',
      'DELETE /streams/{stream_id}/topics/{topic_id}/partitions', 'DELETE /streams/{stream_id}/topics/{topic_id}/partitions/{partition_id}',
      'GET /streams/{stream_id}/topics/{topic_id}/messages', 'POST /streams/{stream_id}/topics/{topic_id}/messages',
      'GET /streams/{stream_id}/topics/{topic_id}/messages/flush/{partition_id}/{fsync}', 'GET /streams/{stream_id}/topics/{topic_id}/consumer-offsets',
      'PUT /streams/{stream_id}/topics/{topic_id}/consumer-offsets', 'DELETE /streams/{stream_id}/topics/{topic_id}/consumer-offsets/{consumer_id}',
      'GET /streams/{stream_id}/topics/{topic_id}/consumer-groups', 'POST /streams/{stream_id}/topics/{topic_id}/consumer-groups',
      'GET /streams/{stream_id}/topics/{topic_id}/consumer-groups/{group_id}', 'DELETE /streams/{stream_id}/topics/{topic_id}/consumer-groups/{group_id}',
    ];
    for (const entry of reference) expect(declared, entry).toContain(entry);
    expect(new Set(routes.map((entry) => entry.operationId)).size).toBe(routes.length);
    expect(allRoutes({ metricsEnabled: false }).some((entry) => entry.path === '/metrics')).toBe(false);
  });
});
