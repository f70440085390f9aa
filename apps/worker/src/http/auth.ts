// Authentication hooks. The API's run `onRequest`: a request without the secret is refused before
// its body is read or parsed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares a secret of any length with `expected` in constant time (its digest computed once). */
function secretMatcher(expected: string): (given: string) => boolean {
  const expectedDigest = digest(expected);
  return (given) => timingSafeEqual(digest(given), expectedDigest);
}

/** The credentials of `Authorization: Bearer <token>`; the scheme's name is case-insensitive (RFC 9110). */
function bearerToken(header: string | undefined): string {
  return header && /^bearer /i.test(header) ? header.slice('bearer '.length) : '';
}

/** Answers 401 unless `Authorization: Bearer <secret>` matches (API clients, Prometheus). */
export function requireBearer(secret: string) {
  const matches = secretMatcher(secret);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (!token || !matches(token)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'UNAUTHORIZED', message: 'a valid bearer token is required' });
    }
  };
}

/**
 * For webhooks whose caller can send no header: the secret is the :token in their URL. Run
 * `onRequest`, so a wrong token is 401 whatever the body, which is then never read.
 */
export function requireUrlToken(secret: string) {
  const matches = secretMatcher(secret);
  return async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply): Promise<void> => {
    if (!matches(request.params.token))
      await reply.code(401).send({ error: 'INVALID_TOKEN', message: 'unknown webhook token' });
  };
}

function basicPassword(header: string | undefined): string {
  if (!header || !/^basic /i.test(header)) return '';
  const decoded = Buffer.from(header.slice('basic '.length), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/**
 * For pages a person opens in a browser (dashboard, docs): the browser asks for Basic credentials
 * (any user name, the secret as password); a Bearer token works too.
 */
export function requireBrowserSecret(secret: string, realm: string) {
  const matches = secretMatcher(secret);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = bearerToken(request.headers.authorization) || basicPassword(request.headers.authorization);
    if (!given || !matches(given)) {
      await reply
        .code(401)
        .header('www-authenticate', `Basic realm="${realm}"`)
        .send({ error: 'UNAUTHORIZED', message: 'credentials required' });
    }
  };
}
