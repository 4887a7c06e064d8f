import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../infra/openapi/document.js';
import { ROUTE_DOCS } from '../../infra/openapi/route-docs.js';
import { ROUTES, routeKey } from '../../shared/routing/routes.js';

describe('OpenAPI description', () => {
  const doc = buildOpenApi() as { paths: Record<string, Record<string, any>> };

  it('describes every route of the route table, and nothing else', () => {
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(ROUTES.map(routeKey).sort());
    expect(Object.keys(ROUTE_DOCS).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it("uses the handlers' own zod schemas for request bodies", () => {
    const signup = doc.paths['/auth/signup'].post.requestBody.content['application/json'].schema;
    expect(signup.required).toEqual(['email', 'password']);
    expect(signup.properties.password.maxLength).toBe(4096);
  });

  it('marks protected routes with the bearer scheme and their gateway 401/403', () => {
    const me = doc.paths['/auth/me'].get;
    expect(me.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
  });

  it('the committed openapi.json is up to date (run npm run openapi)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
