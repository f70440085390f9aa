// Every error answers {error: CODE, message}: the body shape, the statuses routes document with it,
// and the one handler that turns what went wrong (a refused input included) into it.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

const apiError = z.object({
  error: z.string().describe('stable code, e.g. INVALID_BODY, NOT_FOUND'),
  message: z.string(),
});

/** What each error status means, wherever a route answers it. */
const MEANINGS = {
  400: 'Input refused; the message gives the reason',
  401: 'Credentials missing or wrong',
  404: 'Not found',
  409: 'Conflicts with the current state',
  429: 'Rate limit reached (retry-after says when to retry)',
  default:
    'Any other error: a body unreadable (400), too large (413) or of another type (415); ' +
    'an internal error (5xx, no details)',
} as const;

/** The error statuses a route answers with the error body; `default` covers the others. */
export function errors<const S extends readonly Exclude<keyof typeof MEANINGS, 'default'>[]>(
  ...statuses: S
): Record<S[number] | 'default', typeof apiError> {
  return Object.fromEntries(
    [...statuses, 'default' as const].map((status) => [status, apiError.describe(MEANINGS[status])]),
  ) as Record<S[number] | 'default', typeof apiError>;
}

/** What a route answers when an input part fails its schema: a code and, unless fixed here, zod's reasons. */
interface Refusal {
  error: string;
  message?: string;
  /** 400 unless said otherwise (a webhook refuses an unknown account like a bad signature: 401). */
  status?: number;
}

/** params, querystring, body (or headers). */
type InputPart = NonNullable<FastifyError['validationContext']>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Per input part, how a refused one is answered (default: 400 INVALID_PARAMS, INVALID_QUERY, INVALID_BODY). */
    invalid?: Partial<Record<InputPart, Refusal>>;
  }
}

const DEFAULT_CODES: Record<InputPart, string> = {
  params: 'INVALID_PARAMS',
  querystring: 'INVALID_QUERY',
  body: 'INVALID_BODY',
  headers: 'INVALID_HEADERS',
};
/** How a whole part is named in a reason ("body Unrecognized key: …"). */
const PART_NAMES: Record<InputPart, string> = {
  params: 'params',
  querystring: 'query',
  body: 'body',
  headers: 'headers',
};

/** Fastify's own codes for a body it could not read, as the stable codes clients see. */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** The answer to an input refused by its schema: one reason per issue, "path message", joined. */
function refusal(
  issues: readonly { instancePath: string; message?: string }[],
  part: InputPart,
  request: FastifyRequest,
) {
  const configured = request.routeOptions.config.invalid?.[part];
  const reason = () =>
    issues.map((i) => `${i.instancePath.slice(1).replaceAll('/', '.') || PART_NAMES[part]} ${i.message}`).join('; ');
  return {
    status: configured?.status ?? 400,
    body: { error: configured?.error ?? DEFAULT_CODES[part], message: configured?.message ?? reason() },
  };
}

/** The one error handler: refused inputs, unreadable bodies and 4xx as {error, message}; a 5xx hides its details. */
export function registerErrorHandler(
  app: FastifyInstance,
  onServerError: (error: FastifyError, request: FastifyRequest) => void,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const { status, body } = refusal(error.validation, error.validationContext ?? 'body', request);
      return reply.code(status).send(body);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      onServerError(error, request);
      return reply.code(status).send({ error: 'INTERNAL_ERROR', message: 'internal error' });
    }
    return reply
      .code(status)
      .send({ error: BODY_ERRORS[error.code] ?? error.code ?? 'BAD_REQUEST', message: error.message });
  });
}

/** No route: 404, or 405 naming the methods when the path exists under others. */
export function registerNotFoundHandler(app: FastifyInstance): void {
  const routes: { methods: string[]; path: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
    routes.push({ methods: [route.method].flat(), path: new RegExp(`^${pattern}/?$`) });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.path.test(path)).flatMap((r) => r.methods))];
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({
          error: 'METHOD_NOT_ALLOWED',
          message: `${request.method} is not allowed on ${path} (${allowed.join(', ')})`,
        });
    }
    return reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${path}` });
  });
}
