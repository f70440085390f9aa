import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROUTES } from '@auto-prospect/core';
import type { Metrics } from '../../metrics.js';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

export function registerMetricsRoute(instance: FastifyInstance, deps: { metrics: Metrics }): void {
  instance.withTypeProvider<ZodTypeProvider>().get(
    ROUTES.metrics,
    {
      // Scraped every few seconds: not logged unless something goes wrong.
      logLevel: 'warn',
      schema: {
        ...describeRoute({ tag: 'operations', summary: 'Prometheus metrics' }),
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
          ...errors(401, 429),
        },
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await deps.metrics.render()),
  );
}
