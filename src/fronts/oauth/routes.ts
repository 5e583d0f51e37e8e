/**
 * OAuth 2.1 front: the client-credentials token endpoint, JWKS and authorization server metadata.
 * It only translates HTTP to the identity service; errors follow RFC 6749 section 5.2.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WardenError } from '../../core/index.js';
import type { ErrorCode } from '../../core/index.js';
import type { KeyManager, TokenService } from '../../identity/index.js';
import { toHttpError } from '../http-errors.js';

export interface OAuthRoutesOptions {
  tokens: TokenService;
  keys: KeyManager;
  /** The gateway's public URL: issuer of tokens and base of the endpoints. */
  issuer: string;
  bodyLimit: number;
  /** Token requests allowed per client address per window (seconds). */
  rateLimit: { max: number; window: number };
}

/** RFC 6749 error names for Warden codes the token endpoint can produce. */
const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
  WARDEN_INVALID_REQUEST: 'invalid_request',
  WARDEN_INVALID_CLIENT: 'invalid_client',
  WARDEN_AGENT_SUSPENDED: 'invalid_client',
  WARDEN_AGENT_NO_SECRET: 'invalid_client',
  WARDEN_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  WARDEN_INVALID_SCOPE: 'invalid_scope',
  WARDEN_BAD_REQUEST: 'invalid_request',
  WARDEN_BODY_TOO_LARGE: 'invalid_request',
  WARDEN_UNSUPPORTED_MEDIA_TYPE: 'invalid_request',
  WARDEN_RATE_LIMITED: 'invalid_request',
};

const MAX_PARAMETER_LENGTH = 4096;

/**
 * Fastify plugin: POST /oauth/token (rate limited per client address), GET /.well-known/jwks.json and
 * GET /.well-known/oauth-authorization-server. Errors in this scope answer in the RFC 6749 shape.
 */
export async function oauthRoutes(app: FastifyInstance, options: OAuthRoutesOptions): Promise<void> {
  const { tokens, keys, issuer } = options;
  const base = issuer.replace(/\/$/, '');

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new WardenError(
        'WARDEN_RATE_LIMITED',
        `too many token requests from this address (${context.max} per ${options.rateLimit.window} s); retry in ${context.after}, and reuse tokens until they expire instead of requesting one per call`,
      ),
  });

  app.setErrorHandler((error: FastifyError | WardenError, request, reply) => {
    const wardenError = toHttpError(error, options.bodyLimit);
    if (OAUTH_ERROR[wardenError.code] === undefined) {
      request.log.error({ code: wardenError.code, err: error }, 'token request failed');
      return reply.code(wardenError.status).send({ error: wardenError.toJSON() });
    }
    return sendOAuthError(reply, request, wardenError);
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=60');
    return keys.jwks();
  });

  app.get('/.well-known/oauth-authorization-server', async () => ({
    issuer,
    // Agents use client credentials only; the authorization endpoint exists because MCP client SDKs
    // require the field, and it refuses every request.
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: ['EdDSA'],
    response_types_supported: [],
  }));

  app.get('/oauth/authorize', async (_request, reply) =>
    reply.code(400).send({
      error: 'unsupported_response_type',
      error_description:
        'Warden issues agent tokens with the client_credentials grant only; POST to /oauth/token with the agent name and secret',
      warden_code: 'WARDEN_UNSUPPORTED_GRANT_TYPE',
    }),
  );

  const tokenRoute = {
    config: { rateLimit: { max: options.rateLimit.max, timeWindow: options.rateLimit.window * 1000 } },
  };
  app.post('/oauth/token', tokenRoute, async (request, reply) => {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const parameters = readParameters(request);
    const grantType = parameters.get('grant_type');
    if (grantType !== 'client_credentials') {
      throw new WardenError(
        grantType === undefined ? 'WARDEN_INVALID_REQUEST' : 'WARDEN_UNSUPPORTED_GRANT_TYPE',
        grantType === undefined
          ? 'grant_type is missing; send grant_type=client_credentials'
          : `grant_type "${grantType.slice(0, 64)}" is not supported; Warden issues agent tokens with grant_type=client_credentials`,
      );
    }
    const client = readClientCredentials(request, parameters);
    const resource = parameters.get('resource');
    if (resource !== undefined && resource.replace(/\/$/, '') !== base && !resource.startsWith(`${base}/`)) {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        `resource "${resource.slice(0, 200)}" is not this gateway; tokens are only issued for ${issuer}`,
      );
    }
    const scope = parameters.get('scope');
    const issued = await tokens.issue({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      ...(scope === undefined ? {} : { scope }),
      actorIp: request.ip,
    });
    return {
      access_token: issued.accessToken,
      token_type: issued.tokenType,
      expires_in: issued.expiresIn,
      ...(issued.scope ? { scope: issued.scope } : {}),
    };
  });
}

/** Reads form or JSON parameters, refusing repeated or oversized ones. */
function readParameters(request: FastifyRequest): Map<string, string> {
  const body: unknown = request.body;
  const parameters = new Map<string, string>();
  if (body instanceof URLSearchParams) {
    for (const [key, value] of body) {
      if (parameters.has(key)) {
        throw new WardenError(
          'WARDEN_INVALID_REQUEST',
          `parameter "${key.slice(0, 64)}" is repeated; send it once`,
        );
      }
      parameters.set(key, value);
    }
  } else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value !== 'string') {
        throw new WardenError('WARDEN_INVALID_REQUEST', `parameter "${key.slice(0, 64)}" must be a string`);
      }
      parameters.set(key, value);
    }
  } else {
    throw new WardenError(
      'WARDEN_INVALID_REQUEST',
      'send the token request as application/x-www-form-urlencoded or application/json with grant_type, client_id and client_secret',
    );
  }
  for (const [key, value] of parameters) {
    if (value.length > MAX_PARAMETER_LENGTH) {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        `parameter "${key.slice(0, 64)}" is longer than ${MAX_PARAMETER_LENGTH} characters`,
      );
    }
  }
  return parameters;
}

/** client_secret_basic (Authorization: Basic) or client_secret_post (body); never both. */
function readClientCredentials(
  request: FastifyRequest,
  parameters: Map<string, string>,
): { clientId: string; clientSecret: string } {
  const authorization = request.headers.authorization;
  const bodyId = parameters.get('client_id');
  const bodySecret = parameters.get('client_secret');
  if (authorization !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!match) {
      throw new WardenError(
        'WARDEN_INVALID_CLIENT',
        'the Authorization header must be "Basic base64(client_id:client_secret)"',
      );
    }
    if (bodySecret !== undefined) {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        'send the client secret either in the Authorization header or in the body, not both',
      );
    }
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new WardenError('WARDEN_INVALID_CLIENT', 'the Basic credentials must be client_id:client_secret');
    }
    // RFC 6749 2.3.1: both parts are form-urlencoded inside the Basic credentials.
    const clientId = safeDecode(decoded.slice(0, colon));
    const clientSecret = safeDecode(decoded.slice(colon + 1));
    if (bodyId !== undefined && bodyId !== clientId) {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        'client_id in the body differs from the one in the Authorization header',
      );
    }
    return { clientId, clientSecret };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw new WardenError(
      'WARDEN_INVALID_CLIENT',
      'client credentials are missing; send client_id and client_secret (the agent name and the secret shown by `warden agents create` or `rotate-secret`)',
    );
  }
  return { clientId: bodyId, clientSecret: bodySecret };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function sendOAuthError(reply: FastifyReply, request: FastifyRequest, error: WardenError): FastifyReply {
  void reply.header('cache-control', 'no-store');
  const status =
    error.code === 'WARDEN_INVALID_CLIENT' || error.code === 'WARDEN_AGENT_SUSPENDED' ? 401 : error.status;
  if (status === 401 && request.headers.authorization !== undefined) {
    void reply.header('www-authenticate', 'Basic realm="warden"');
  }
  return reply.code(status).send({
    error: OAUTH_ERROR[error.code],
    error_description: error.message,
    warden_code: error.code,
  });
}
