// The OpenAPI document (/docs) is generated from the same zod schemas Fastify validates inputs and
// serializes answers with, so the documentation cannot drift from what is enforced.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { ROUTES } from '@auto-prospect/core';
import { requireBrowserSecret } from './auth.js';

/** A route's documentation: what it does, and whether it needs the bearer token; its schemas sit beside it. */
export function describeRoute(doc: { tag: string; summary: string; bearer?: boolean }): {
  tags: string[];
  summary: string;
  security?: { bearer: string[] }[];
} {
  return { tags: [doc.tag], summary: doc.summary, ...(doc.bearer === false ? {} : { security: [{ bearer: [] }] }) };
}

/** The API docs are behind the API secret (Basic in a browser) unless `docsPublic`. */
export function registerOpenApi(app: FastifyInstance, access: { apiSecret: string; docsPublic: boolean }): void {
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Auto-Prospect worker',
        version: '1.0.0',
        description: 'Daily outreach, Lobstr ingestion and operations API.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  const requireSecret = requireBrowserSecret(access.apiSecret, 'auto-prospect docs');
  void app.register(swaggerUi, {
    routePrefix: ROUTES.docs,
    // The plugin takes callback-style hooks.
    ...(access.docsPublic
      ? {}
      : {
          uiHooks: { onRequest: (request, reply, done) => void requireSecret(request, reply).then(() => done(), done) },
        }),
  });
}
