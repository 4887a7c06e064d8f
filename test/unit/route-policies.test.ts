import { describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.ISSUER ??= 'https://auth.example.test';
});

import { requirementsWith } from '../../shared/authorizer/authorizer.js';
import { parseRoutePolicies } from '../../shared/routing/route-policies.js';

describe('Function: parseRoutePolicies', () => {
  it('reads the policies protectRoute writes, and nothing for an empty variable', () => {
    expect(parseRoutePolicies('{"GET /orders/{id}":{"roles":["clerk"],"scopes":["orders:read"]}}')).toEqual({
      'GET /orders/{id}': { roles: ['clerk'], scopes: ['orders:read'] },
    });
    expect(parseRoutePolicies(undefined)).toEqual({});
  });

  it('fails naming ROUTE_POLICIES on bad JSON, a bad route key or bad role names', () => {
    for (const bad of ['{', '[]', '{"orders":{}}', '{"GET /x":{"roles":"admin"}}', '{"GET /x":{"roles":["a b"]}}']) {
      expect(() => parseRoutePolicies(bad)).toThrow(/ROUTE_POLICIES/);
    }
  });
});

describe('Function: requirementsWith', () => {
  it("S20: our own routes keep the route table's requirements; other routes get their declared policy", () => {
    const requirements = requirementsWith(
      parseRoutePolicies('{"GET /orders":{"roles":["clerk"]},"GET /auth/me":{"roles":["nobody"]}}'),
    );
    expect(requirements('GET /orders')).toEqual({ roles: ['clerk'], scopes: undefined });
    expect(requirements('GET /auth/me')).toEqual({ roles: ['user', 'admin'] });
    expect(requirements('GET /elsewhere')).toBeUndefined();
    expect(requirements('constructor')).toBeUndefined();
  });
});
