// An operator ends an account's pause of a channel once its cause is fixed where the worker cannot
// see it (an SMSMobileAPI plan renewed under the same key, a sender number validated on Voice
// Partner). A new key, fixed number or WhatsApp link ends its pause by itself.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS, endChannelPause, ROUTES } from '@auto-prospect/core';
import type { Sql } from '@auto-prospect/core/clients';
import { errors } from '../errors.js';
import { describeRoute } from '../openapi.js';

const params = z.object({ accountId: z.guid('must be a UUID'), channel: z.enum(CHANNELS) });

export function registerChannelPauseRoute(instance: FastifyInstance, deps: { sql: Sql }): void {
  instance.withTypeProvider<ZodTypeProvider>().delete(
    ROUTES.channelPause,
    {
      schema: {
        ...describeRoute({ tag: 'accounts', summary: "Ends the account's pause of a channel" }),
        params,
        response: { 204: z.undefined().describe('Ended'), ...errors(400, 401, 404, 429) },
      },
      config: { invalid: { params: { error: 'INVALID_PARAMS' } } },
    },
    async (request, reply) => {
      if (!(await endChannelPause(deps.sql, request.params.accountId, request.params.channel)))
        return reply.code(404).send({ error: 'NOT_PAUSED', message: 'the channel is not paused for this account' });
      return reply.code(204).send();
    },
  );
}
