/**
 * Bearer authentication for /mcp as the MCP authorization spec and RFC 6750 ask: the token comes
 * only from the Authorization header, and refusals carry a WWW-Authenticate challenge that points
 * at the protected resource metadata (RFC 9728).
 */
import { WardenError } from '../../core/index.js';

/** The path of the RFC 9728 protected resource metadata document. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Result of reading the Authorization header. */
export type BearerCredential = { kind: 'token'; token: string } | { kind: 'missing' } | { kind: 'malformed' };

/** Reads `Authorization: Bearer <token>` (scheme case-insensitive); anything else is missing or malformed. */
export function readBearer(header: string | string[] | undefined): BearerCredential {
  if (header === undefined || header === '') return { kind: 'missing' };
  if (Array.isArray(header)) return { kind: 'malformed' };
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (match?.[1] !== undefined) return { kind: 'token', token: match[1] };
  // Another scheme (Basic, ...) is "no bearer credentials" in RFC 6750 terms.
  return /^Bearer(\s|$)/i.test(header) ? { kind: 'malformed' } : { kind: 'missing' };
}

/** The error for a request without a bearer token. */
export function missingTokenError(): WardenError {
  return new WardenError(
    'WARDEN_TOKEN_MISSING',
    'this endpoint needs an access token: send "Authorization: Bearer <token>", with a token from POST /oauth/token (grant_type=client_credentials)',
  );
}

/** The error for an Authorization header that says Bearer but holds no usable token. */
export function malformedHeaderError(): WardenError {
  return new WardenError(
    'WARDEN_TOKEN_MALFORMED',
    'the Authorization header is malformed; send exactly one "Authorization: Bearer <token>" header',
  );
}

/**
 * The WWW-Authenticate challenge for a refused request: without an error for a missing token
 * (RFC 6750 section 3.1), with error="invalid_token" and a description for a bad one.
 */
export function bearerChallenge(metadataUrl: string, error?: WardenError): string {
  const parameters = [`resource_metadata="${quoteSafe(metadataUrl)}"`];
  if (error !== undefined && error.code !== 'WARDEN_TOKEN_MISSING') {
    parameters.unshift(
      'error="invalid_token"',
      `error_description="${quoteSafe(`${error.code}: ${error.message}`).slice(0, 500)}"`,
    );
  }
  return `Bearer ${parameters.join(', ')}`;
}

/** RFC 6750 limits quoted values to printable ASCII without `"` and `\`. */
function quoteSafe(value: string): string {
  return value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
}
