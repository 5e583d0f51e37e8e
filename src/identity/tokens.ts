/**
 * Agent access tokens: OAuth client-credentials issuance and verification of EdDSA-signed JWTs. Every
 * refusal has its own error code; unknown clients and wrong secrets are indistinguishable to the caller;
 * suspension and secret rotation take effect on the next verification.
 */
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { AuditRecorder } from '../audit/index.js';
import { NAME_PATTERN, WardenError, isWardenError, newId } from '../core/index.js';
import type { Clock, ErrorCode } from '../core/index.js';
import type { AgentRecord, AgentStore } from '../store/index.js';
import type { KeyManager } from './keys.js';
import { verifyAgainstDummy, verifySecret } from './secrets.js';

/** Longest token accepted, in characters; longer input is refused before parsing. */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** The JWT `typ` of Warden access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** The claims of a Warden access token. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  /** The agent id. */
  sub: string;
  /** The agent name (OAuth client_id). */
  client_id: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  /** The agent's secret version when the token was issued. */
  sv: number;
  /** Roles granted to this token: the requested scope, or all the agent's roles. */
  roles: string[];
  clearance: string;
}

/** A token that passed every check. */
export interface VerifiedToken {
  /** The agent as stored now (status and secret version were checked on this call). */
  agent: AgentRecord;
  claims: AccessTokenClaims;
  /** Roles this token may act with: those it was granted that the agent still holds. */
  roles: string[];
}

export interface IssueTokenInput {
  /** The agent name. */
  clientId: string;
  clientSecret: string;
  /** Space-separated roles to limit the token to; all the agent's roles when absent or empty. */
  scope?: string;
  /** The requester's address, recorded in the audit log. */
  actorIp?: string;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
  /** The granted roles, space-separated. */
  scope: string;
}

export interface TokenServiceOptions {
  agents: AgentStore;
  keys: KeyManager;
  audit: AuditRecorder;
  clock: Clock;
  /** `iss` of issued tokens; verification requires exactly this. */
  issuer: string;
  /** `aud` of issued tokens (this gateway); verification requires exactly this. */
  audience: string;
  lifetimeSeconds: number;
  clockToleranceSeconds: number;
  /**
   * The lockdown in force (AgentService.lockdownGate): a non-excepted agent is refused while one is,
   * whatever its own status. Without it only the agent's own status counts.
   */
  lockdown?: { refusal(agentName: string): Promise<WardenError | null> };
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Tokens whose signature and claims were verified, kept so repeat calls skip the signature check. */
const VERIFIED_CACHE_SIZE = 10_000;
const MAX_CLIENT_ID_LENGTH = 128;

/** Issues and verifies agent access tokens. */
export class TokenService {
  readonly #agents: AgentStore;
  readonly #keys: KeyManager;
  readonly #audit: AuditRecorder;
  readonly #clock: Clock;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #lifetimeSeconds: number;
  readonly #toleranceSeconds: number;
  readonly #lockdown: NonNullable<TokenServiceOptions['lockdown']> | null;
  /**
   * Exact token string → its verified claims. A token is only ever cached after a full check, the
   * time claims are checked again on every use, and the agent is always read fresh, so a hit skips
   * only the signature verification (the token's key outlives the token: see KeyManager).
   */
  readonly #verified = new Map<string, AccessTokenClaims>();

  constructor(options: TokenServiceOptions) {
    if (typeof options.issuer !== 'string' || options.issuer === '') {
      throw new WardenError(
        'WARDEN_CONFIG_INVALID',
        'the token issuer is not set; set server.publicUrl in the config',
      );
    }
    if (typeof options.audience !== 'string' || options.audience === '') {
      throw new WardenError(
        'WARDEN_CONFIG_INVALID',
        'the token audience is not set; set server.publicUrl in the config',
      );
    }
    this.#agents = options.agents;
    this.#keys = options.keys;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#lifetimeSeconds = options.lifetimeSeconds;
    this.#toleranceSeconds = options.clockToleranceSeconds;
    this.#lockdown = options.lockdown ?? null;
  }

  /**
   * OAuth client credentials: checks the agent's secret and returns a signed access token. The issue is
   * recorded (`token-issued`, never the token) before the token is returned; refusals are recorded as
   * `token-refused` with their code.
   *
   * @throws WARDEN_INVALID_CLIENT for an unknown client, a wrong secret or an agent without a secret
   *   (the same error for each); WARDEN_AGENT_SUSPENDED with the reason; WARDEN_INVALID_SCOPE when the
   *   scope names a role the agent does not hold.
   */
  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    const clientId = typeof input.clientId === 'string' ? input.clientId : '';
    const secret = typeof input.clientSecret === 'string' ? input.clientSecret : '';
    const agent =
      clientId.length <= MAX_CLIENT_ID_LENGTH && NAME_PATTERN.test(clientId)
        ? await this.#agents.getByName(clientId)
        : null;

    let authenticated = false;
    if (agent === null || agent.secretHash === null) await verifyAgainstDummy(secret);
    else authenticated = await verifySecret(secret, agent.secretHash);
    if (agent === null || !authenticated) {
      const reason =
        agent === null ? 'unknown-client' : agent.secretHash === null ? 'no-secret' : 'wrong-secret';
      throw await this.#refuse(
        input,
        agent,
        reason,
        new WardenError(
          'WARDEN_INVALID_CLIENT',
          'client authentication failed: unknown client_id or wrong client_secret. Use the agent name as client_id and the secret shown by `warden agents create` or `warden agents rotate-secret`.',
        ),
      );
    }
    if (agent.status === 'suspended') {
      throw await this.#refuse(input, agent, 'suspended', suspendedError(agent));
    }
    const lockdown = await this.#lockdown?.refusal(agent.name);
    if (lockdown !== undefined && lockdown !== null) {
      throw await this.#refuse(input, agent, 'suspended', lockdown);
    }
    const roles = this.#grantedRoles(agent, input.scope);
    if (typeof roles === 'string') {
      throw await this.#refuse(
        input,
        agent,
        'invalid-scope',
        new WardenError(
          'WARDEN_INVALID_SCOPE',
          `scope "${roles.slice(0, 64)}" is not a role of agent "${agent.name}"; request a subset of: ${agent.roles.join(' ')}`,
          { agent: agent.name },
        ),
      );
    }

    const { kid, key } = await this.#keys.tokenSigningKey();
    const issuedAt = Math.floor(this.#clock.now() / 1000);
    const expiresAt = issuedAt + this.#lifetimeSeconds;
    const jti = newId('tok');
    const accessToken = await new SignJWT({
      client_id: agent.name,
      sv: agent.secretVersion,
      roles,
      clearance: agent.clearance,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setSubject(agent.id)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(jti)
      .sign(key);

    await this.#audit.record({
      type: 'token-issued',
      actor: `agent:${agent.name}`,
      subject: `agent:${agent.name}`,
      detail: {
        jti,
        kid,
        roles,
        expiresAt: new Date(expiresAt * 1000).toISOString(),
        ...(input.actorIp === undefined ? {} : { actorIp: input.actorIp }),
      },
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.#lifetimeSeconds, scope: roles.join(' ') };
  }

  /**
   * Verifies an access token and returns its agent as stored now.
   *
   * @throws WardenError with one code per failure: WARDEN_TOKEN_MALFORMED, WARDEN_TOKEN_ALGORITHM_REFUSED,
   *   WARDEN_TOKEN_KEY_UNKNOWN, WARDEN_TOKEN_SIGNATURE_INVALID, WARDEN_TOKEN_EXPIRED,
   *   WARDEN_TOKEN_NOT_YET_VALID, WARDEN_TOKEN_AUDIENCE_INVALID, WARDEN_TOKEN_ISSUER_INVALID,
   *   WARDEN_TOKEN_AGENT_UNKNOWN, WARDEN_AGENT_SUSPENDED, WARDEN_TOKEN_REVOKED.
   */
  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0) {
      throw tokenError(
        'WARDEN_TOKEN_MALFORMED',
        'the access token is empty; send "Authorization: Bearer <token>"',
      );
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw tokenError(
        'WARDEN_TOKEN_MALFORMED',
        `the access token is longer than ${MAX_TOKEN_LENGTH} characters; request a new token`,
      );
    }
    const cached = this.#cachedClaims(token);
    if (cached !== undefined) return this.#checkAgent(cached);
    if (!JWS_COMPACT.test(token)) {
      throw tokenError(
        'WARDEN_TOKEN_MALFORMED',
        'the access token is not a compact JWT (three base64url parts); request a new token',
      );
    }
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw tokenError(
        'WARDEN_TOKEN_MALFORMED',
        'the access token header is not valid JSON; request a new token',
      );
    }
    if (header.alg !== 'EdDSA') {
      throw tokenError(
        'WARDEN_TOKEN_ALGORITHM_REFUSED',
        `the access token uses algorithm ${JSON.stringify(String(header.alg).slice(0, 32))}; Warden only accepts EdDSA tokens it issued. Request a new token from /oauth/token`,
      );
    }
    if (header.typ !== ACCESS_TOKEN_TYPE) {
      throw tokenError(
        'WARDEN_TOKEN_MALFORMED',
        `the token is not a Warden access token (typ must be "${ACCESS_TOKEN_TYPE}"); request a new token`,
      );
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw tokenError('WARDEN_TOKEN_MALFORMED', 'the access token header has no kid; request a new token');
    }
    const key = await this.#keys.tokenVerificationKey(header.kid);
    if (key === null) {
      throw tokenError(
        'WARDEN_TOKEN_KEY_UNKNOWN',
        `the access token was signed with key ${JSON.stringify(header.kid.slice(0, 64))}, which this gateway does not know or retired too long ago; request a new token`,
        { kid: header.kid.slice(0, 64) },
      );
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: this.#issuer,
        audience: this.#audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: this.#toleranceSeconds,
        currentDate: new Date(this.#clock.now()),
        requiredClaims: ['iss', 'aud', 'sub', 'iat', 'nbf', 'exp', 'jti'],
      }));
    } catch (error) {
      throw this.#mapJoseError(error);
    }
    const claims = readClaims(payload);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(token, claims);
    return this.#checkAgent(claims);
  }

  /** Cached claims of `token` if they are still within their validity window (else forgets them). */
  #cachedClaims(token: string): AccessTokenClaims | undefined {
    const claims = this.#verified.get(token);
    if (claims === undefined) return undefined;
    const now = this.#clock.now() / 1000;
    if (now - this.#toleranceSeconds >= claims.exp || now + this.#toleranceSeconds < claims.nbf) {
      this.#verified.delete(token);
      return undefined;
    }
    return claims;
  }

  /** The per-call checks that must see the agent as it is now: existence, suspension, credential generation. */
  async #checkAgent(claims: AccessTokenClaims): Promise<VerifiedToken> {
    const agent = await this.#agents.getById(claims.sub);
    if (agent === null || agent.name !== claims.client_id) {
      throw tokenError(
        'WARDEN_TOKEN_AGENT_UNKNOWN',
        `the access token belongs to agent "${claims.client_id.slice(0, 64)}", which no longer exists; ask an administrator (\`warden agents list\`)`,
        { agent: claims.client_id.slice(0, 64) },
      );
    }
    if (agent.status === 'suspended') throw suspendedError(agent);
    const lockdown = await this.#lockdown?.refusal(agent.name);
    if (lockdown !== undefined && lockdown !== null) throw lockdown;
    if (claims.sv !== agent.secretVersion) {
      throw tokenError(
        'WARDEN_TOKEN_REVOKED',
        `the access token was issued before the agent's secret was rotated or the agent was suspended; request a new token`,
        { agent: agent.name },
      );
    }
    return { agent, claims, roles: claims.roles.filter((role) => agent.roles.includes(role)) };
  }

  /** The roles a token gets: the agent's roles, or the requested subset; a string names the first role not held. */
  #grantedRoles(agent: AgentRecord, scope: string | undefined): string[] | string {
    if (scope === undefined || scope.trim() === '') return [...agent.roles];
    const requested = [...new Set(scope.trim().split(/\s+/))];
    const missing = requested.find((role) => !agent.roles.includes(role));
    return missing ?? requested;
  }

  /** Records a refused token request and returns the error to throw. */
  async #refuse(
    input: IssueTokenInput,
    agent: AgentRecord | null,
    reason: string,
    error: WardenError,
  ): Promise<WardenError> {
    const clientId = typeof input.clientId === 'string' ? input.clientId.slice(0, MAX_CLIENT_ID_LENGTH) : '';
    await this.#audit.record({
      type: 'token-refused',
      actor: 'anonymous',
      subject: agent === null ? null : `agent:${agent.name}`,
      decision: 'deny',
      detail: {
        code: error.code,
        reason,
        clientId,
        ...(input.actorIp === undefined ? {} : { actorIp: input.actorIp }),
      },
    });
    return error;
  }

  #mapJoseError(error: unknown): WardenError {
    if (isWardenError(error)) return error;
    const code = (error as { code?: unknown } | null)?.code;
    const claim = (error as { claim?: unknown } | null)?.claim;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      return tokenError(
        'WARDEN_TOKEN_SIGNATURE_INVALID',
        'the access token signature does not verify: it was altered or not signed by this gateway; request a new token',
      );
    }
    if (code === 'ERR_JWT_EXPIRED') {
      return tokenError(
        'WARDEN_TOKEN_EXPIRED',
        'the access token has expired; request a new token from /oauth/token',
      );
    }
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
      if (claim === 'nbf') {
        return tokenError(
          'WARDEN_TOKEN_NOT_YET_VALID',
          'the access token is not valid yet (nbf is in the future); check the clocks of the agent and the gateway',
        );
      }
      if (claim === 'aud') {
        return tokenError(
          'WARDEN_TOKEN_AUDIENCE_INVALID',
          `the access token is for another audience; request a token from this gateway (${this.#audience})`,
        );
      }
      if (claim === 'iss') {
        return tokenError(
          'WARDEN_TOKEN_ISSUER_INVALID',
          `the access token was issued by someone else; request a token from this gateway (${this.#issuer})`,
        );
      }
      return tokenError(
        'WARDEN_TOKEN_MALFORMED',
        `the access token claim "${String(claim).slice(0, 32)}" is missing or invalid; request a new token`,
      );
    }
    return tokenError('WARDEN_TOKEN_MALFORMED', 'the access token is not a valid JWT; request a new token');
  }
}

/** Checks the Warden-specific claims jose does not know. */
function readClaims(payload: JWTPayload): AccessTokenClaims {
  const bad = (claim: string): WardenError =>
    tokenError(
      'WARDEN_TOKEN_MALFORMED',
      `the access token claim "${claim}" is missing or invalid; request a new token`,
    );
  const record = payload as Record<string, unknown>;
  if (typeof record.sub !== 'string' || record.sub === '') throw bad('sub');
  if (typeof record.client_id !== 'string' || record.client_id === '') throw bad('client_id');
  if (typeof record.jti !== 'string') throw bad('jti');
  if (typeof record.aud !== 'string') throw bad('aud');
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (typeof record[claim] !== 'number') throw bad(claim);
  }
  if (typeof record.sv !== 'number' || !Number.isInteger(record.sv)) throw bad('sv');
  if (!Array.isArray(record.roles) || !record.roles.every((role) => typeof role === 'string'))
    throw bad('roles');
  if (typeof record.clearance !== 'string') throw bad('clearance');
  return {
    iss: record.iss as string,
    aud: record.aud,
    sub: record.sub,
    client_id: record.client_id,
    iat: record.iat as number,
    nbf: record.nbf as number,
    exp: record.exp as number,
    jti: record.jti,
    sv: record.sv,
    roles: record.roles,
    clearance: record.clearance,
  };
}

/** The refusal for a suspended agent, with the reason and how to lift it; the same on every path. */
export function suspendedError(agent: AgentRecord): WardenError {
  return new WardenError(
    'WARDEN_AGENT_SUSPENDED',
    `agent "${agent.name}" is suspended: ${agent.suspendedReason ?? 'no reason given'}. Ask its owner or an administrator to resume it with \`warden agents resume ${agent.name}\``,
    { agent: agent.name, reason: agent.suspendedReason },
  );
}

function tokenError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): WardenError {
  return new WardenError(code, message, details);
}
