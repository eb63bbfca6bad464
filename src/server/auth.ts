/**
 * Why: the API shows item payloads and can retry or cancel work, so it sits behind a bearer
 * token (RFC 6750). The token is compared in constant time: both sides are hashed to SHA-256
 * first, so neither the length nor a matching prefix of a guess shows in the response time. A
 * missing or wrong token gets a 401 with `WWW-Authenticate` saying which, and nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export const authRealm = 'sluice';

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** An onRequest hook admitting only `Authorization: Bearer <token>`. */
export function bearerAuth(token: string): AuthHook {
  const expected = digest(token);

  return async (request, reply) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) {
      reply.header('www-authenticate', `Bearer realm="${authRealm}"`);
      throw new ApiError(
        401,
        'unauthorized',
        'Authorization must be "Bearer <token>" (the token the server was started with)',
        'authorization',
      );
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      reply.header(
        'www-authenticate',
        `Bearer realm="${authRealm}", error="invalid_token", error_description="the token is not valid"`,
      );
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid', 'authorization');
    }
  };
}
