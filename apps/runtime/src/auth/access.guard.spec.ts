import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app.js';
import { IS_PUBLIC } from './auth.decorators.js';

interface Route {
  method: string;
  path: string;
  isPublic: boolean;
}

/** Every controller route of the running app, read from Nest's own metadata (so new features are covered). */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.braid.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
      if (!controller) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const classPublic = Reflect.getMetadata(IS_PUBLIC, controller) === true;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = `/${[prefix, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')].filter((p) => p && p !== '/').join('/')}`
          .replace(/\/+/g, '/')
          .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
        routes.push({ method: RequestMethod[method].toLowerCase(), path, isPublic: classPublic || Reflect.getMetadata(IS_PUBLIC, handler) === true });
      }
    }
  }
  return routes;
}

describe('AccessGuard covers every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.signUpOwner();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses anonymous requests with 401 on every /api/v1 route not marked @Public', async () => {
    const routes = routesOf(t);
    const guarded = routes.filter((route) => !route.isPublic);
    expect(guarded.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['get /api/v1/me', 'post /api/v1/tokens']));
    for (const route of guarded) {
      const response = await t.request()[route.method as 'get' | 'post' | 'put' | 'patch' | 'delete'](route.path);
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
    }
  });

  it('keeps the public surface to what must be reachable without an account', () => {
    const publicApi = routesOf(t)
      .filter((route) => route.isPublic && route.path.startsWith('/api/v1/'))
      .map((route) => `${route.method} ${route.path}`);
    expect(publicApi).toEqual(expect.arrayContaining(['get /api/v1/setup', 'post /api/v1/setup', 'post /api/v1/auth/login']));
    expect(publicApi).not.toContain('get /api/v1/me');
  });
});
