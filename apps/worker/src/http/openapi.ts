// The OpenAPI document (/docs) is generated from the same zod schemas the handlers validate with,
// so the documentation cannot drift from what is enforced.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { requireBrowserSecret } from './auth.js';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { ROUTES } from '@auto-prospect/core';

/** JSON Schema of a zod schema, for documentation. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // The dialect marker is for standalone documents; inside OpenAPI it is noise.
  const document: Record<string, unknown> = { ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) };
  delete document.$schema;
  return document;
}

/** A route's documentation: what it does, its inputs, and whether it needs the bearer token. */
export function describeRoute(doc: { tag: string; summary: string; params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType; bearer?: boolean }): FastifySchema {
  return {
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.params ? { params: jsonSchema(doc.params) } : {}),
    ...(doc.querystring ? { querystring: jsonSchema(doc.querystring) } : {}),
    ...(doc.body ? { body: jsonSchema(doc.body) } : {}),
    ...(doc.bearer === false ? {} : { security: [{ bearer: [] }] }),
  };
}

/** The API docs are behind the API secret (Basic in a browser) unless `docsPublic`. */
export function registerOpenApi(app: FastifyInstance, access: { apiSecret: string; docsPublic: boolean }): void {
  void app.register(swagger, {
    openapi: {
      info: { title: 'Auto-Prospect worker', version: '1.0.0', description: 'Daily outreach, Lobstr ingestion and operations API.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  const requireSecret = requireBrowserSecret(access.apiSecret, 'auto-prospect docs');
  void app.register(swaggerUi, {
    routePrefix: ROUTES.docs,
    // The plugin takes callback-style hooks.
    ...(access.docsPublic ? {} : { uiHooks: { onRequest: (request, reply, done) => void requireSecret(request, reply).then(() => done(), done) } }),
  });
  // Route schemas document; zod validates inside each handler and answers {error, message}.
  app.setValidatorCompiler(() => () => true);
}
