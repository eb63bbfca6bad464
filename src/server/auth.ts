/**
 * Why: the API shows item payloads and can retry or cancel work, so it sits behind bearer tokens
 * (RFC 6750). A presented token is compared in constant time against every configured token
 * (both sides hashed to SHA-256 first, and every token compared whatever matched), so neither a
 * token's length, a matching prefix nor which token matched shows in the response time. A missing
 * or wrong token gets a 401 with `WWW-Authenticate` saying which; a valid read token on an admin
 * route gets a 403 naming the scope it needs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { ApiToken } from './tokens.js';

export const authRealm = 'sluice';

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Who made a request: the token's name and scope (never its secret). */
export interface Identity {
  readonly name: string;
  readonly scope: ApiToken['scope'];
}

const identities = new WeakMap<FastifyRequest, Identity>();

/** The identity bearerAuth admitted the request with; undefined when auth is off. */
export function identityOf(request: FastifyRequest): Identity | undefined {
  return identities.get(request);
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** An onRequest hook admitting only `Authorization: Bearer <one of the tokens>`. */
export function bearerAuth(tokens: readonly ApiToken[]): AuthHook {
  const known = tokens.map((t) => ({
    digest: digest(t.secret),
    identity: Object.freeze({ name: t.name, scope: t.scope }),
  }));

  return async (request, reply) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) {
      reply.header('www-authenticate', `Bearer realm="${authRealm}"`);
      throw new ApiError(
        401,
        'unauthorized',
        'Authorization must be "Bearer <token>" (a token the server was configured with)',
        'authorization',
      );
    }
    const presented = digest(match[1]!);
    let found: Identity | undefined;
    for (const entry of known) {
      // No early exit: every token is compared, so timing does not tell which one matched.
      if (timingSafeEqual(presented, entry.digest)) found = entry.identity;
    }
    if (found === undefined) {
      reply.header(
        'www-authenticate',
        `Bearer realm="${authRealm}", error="invalid_token", error_description="the token is not valid"`,
      );
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid', 'authorization');
    }
    identities.set(request, found);
  };
}

/** Refuses a request whose token is not admin (a no-op when auth is off). */
export function requireAdmin(request: FastifyRequest, reply: FastifyReply, authOn: boolean): void {
  if (!authOn) return;
  const identity = identities.get(request);
  if (identity?.scope === 'admin') return;
  reply.header(
    'www-authenticate',
    `Bearer realm="${authRealm}", error="insufficient_scope", scope="admin"`,
  );
  throw new ApiError(
    403,
    'forbidden',
    `this action needs a token with scope "admin"; token ${JSON.stringify(identity?.name ?? '?')} has scope "${identity?.scope ?? 'none'}"`,
    'authorization',
  );
}
