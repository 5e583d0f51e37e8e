import * as assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWTPayload } from 'jose';
import {
  ACTOR,
  AUDIENCE,
  ISSUER,
  LIFETIME_SECONDS,
  STORE_KINDS,
  TOLERANCE_SECONDS,
  allStrings,
  createAgent,
  openHarness,
  rejectsWith,
} from './harness.js';
import type { Harness } from './harness.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token for `agent` signed with `key` (Warden's own by default), with claims and header overridable. */
async function forge(
  harness: Harness,
  agent: { name: string; id: string },
  options: { claims?: Partial<JWTPayload>; header?: Record<string, unknown>; key?: KeyObject } = {},
): Promise<string> {
  const own = await harness.keys.tokenSigningKey();
  const now = Math.floor(harness.clock.now() / 1000);
  const stored = (await harness.store.agents.getById(agent.id))!;
  return new SignJWT({
    client_id: agent.name,
    sv: stored.secretVersion,
    roles: stored.roles,
    clearance: stored.clearance,
    iss: ISSUER,
    aud: AUDIENCE,
    sub: agent.id,
    iat: now,
    nbf: now,
    exp: now + LIFETIME_SECONDS,
    jti: 'tok_forged',
    ...options.claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: own.kid, typ: 'at+jwt', ...options.header })
    .sign(options.key ?? own.key);
}

async function issueFor(harness: Harness, agent: { name: string; secret: string }): Promise<string> {
  return (await harness.tokens.issue({ clientId: agent.name, clientSecret: agent.secret })).accessToken;
}

for (const kind of STORE_KINDS) {
  describe(`token issue (${kind})`, () => {
    test('a client with the right secret gets a Bearer EdDSA at+jwt with the documented claims', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const issued = await harness.tokens.issue({
        clientId: agent.name,
        clientSecret: agent.secret,
        actorIp: '10.0.0.7',
      });
      assert.equal(issued.tokenType, 'Bearer');
      assert.equal(issued.expiresIn, LIFETIME_SECONDS);
      assert.equal(issued.scope, 'support');
      const { kid } = await harness.keys.tokenSigningKey();
      assert.deepEqual(decodeProtectedHeader(issued.accessToken), { alg: 'EdDSA', kid, typ: 'at+jwt' });
      const claims = decodeJwt(issued.accessToken);
      const now = harness.clock.now() / 1000;
      assert.deepEqual(
        { ...claims, jti: undefined },
        {
          iss: ISSUER,
          aud: AUDIENCE,
          sub: agent.id,
          client_id: 'support-bot',
          iat: now,
          nbf: now,
          exp: now + LIFETIME_SECONDS,
          jti: undefined,
          sv: 1,
          roles: ['support'],
          clearance: 'internal',
        },
      );
      assert.match(claims.jti!, /^tok_/);

      const verified = await harness.tokens.verify(issued.accessToken);
      assert.equal(verified.agent.id, agent.id);
      assert.equal(verified.claims.jti, claims.jti);
      assert.deepEqual(verified.roles, ['support']);

      const entries = (await harness.entries()).filter((entry) => entry.type === 'token-issued');
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.subject, 'agent:support-bot');
      assert.equal(entries[0]!.actor, 'agent:support-bot');
      assert.equal(entries[0]!.detail.jti, claims.jti);
      assert.equal(entries[0]!.detail.expiresAt, new Date((now + LIFETIME_SECONDS) * 1000).toISOString());
      assert.equal(entries[0]!.detail.actorIp, '10.0.0.7');
      const text = allStrings(await harness.entries()).join('\n');
      assert.ok(!text.includes(issued.accessToken.split('.')[2]!), 'the token is in the audit log');
      assert.ok(!text.includes(agent.secret.slice(5)), 'the secret is in the audit log');
    });

    test('an unknown client and a wrong secret get the same WARDEN_INVALID_CLIENT, each recorded as token-refused', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const errors: unknown[] = [];
      for (const attempt of [
        { clientId: 'no-such-bot', clientSecret: agent.secret },
        { clientId: agent.name, clientSecret: 'wsec_wrong' },
        { clientId: 'Not A Name!', clientSecret: 'x' },
      ]) {
        errors.push(
          await harness.tokens.issue(attempt).then(
            () => null,
            (error: unknown) => error,
          ),
        );
      }
      for (const error of errors) {
        assert.ok(rejectsWith('WARDEN_INVALID_CLIENT', /unknown client_id or wrong client_secret/)(error));
      }
      assert.equal((errors[0] as Error).message, (errors[1] as Error).message);
      assert.deepEqual(
        (errors[0] as { details: unknown }).details,
        (errors[1] as { details: unknown }).details,
      );
      const refused = (await harness.entries()).filter((entry) => entry.type === 'token-refused');
      assert.deepEqual(
        refused.map((entry) => [entry.detail.code, entry.detail.reason, entry.subject]),
        [
          ['WARDEN_INVALID_CLIENT', 'unknown-client', null],
          ['WARDEN_INVALID_CLIENT', 'wrong-secret', 'agent:support-bot'],
          ['WARDEN_INVALID_CLIENT', 'unknown-client', null],
        ],
      );
      assert.ok(!allStrings(refused).join('\n').includes(agent.secret), 'a secret is in the audit log');
      assert.ok(!allStrings(refused).join('\n').includes('wsec_wrong'), 'a tried secret is in the audit log');
    });

    test('an agent without a secret gets WARDEN_INVALID_CLIENT', async (t) => {
      const harness = await openHarness(t, kind);
      await harness.agents.syncFromConfig(
        { 'config-bot': { owner: 'a@example.com', roles: ['support'], clearance: 'public' } },
        'system',
      );
      await assert.rejects(
        harness.tokens.issue({ clientId: 'config-bot', clientSecret: '' }),
        rejectsWith('WARDEN_INVALID_CLIENT'),
      );
    });

    test('a suspended agent with the right secret gets WARDEN_AGENT_SUSPENDED with the reason', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      await harness.agents.suspend(agent.name, { actor: 'admin:alice', reason: 'incident 42' });
      await assert.rejects(
        harness.tokens.issue({ clientId: agent.name, clientSecret: agent.secret }),
        rejectsWith('WARDEN_AGENT_SUSPENDED', /support-bot" is suspended: incident 42/),
      );
      const [refused] = (await harness.entries()).filter((entry) => entry.type === 'token-refused');
      assert.equal(refused?.detail.code, 'WARDEN_AGENT_SUSPENDED');
    });

    test('a scope narrows the token to those roles; a role the agent lacks is WARDEN_INVALID_SCOPE', async (t) => {
      const harness = await openHarness(t, kind);
      const { agent, secret } = await harness.agents.create({
        name: 'multi-bot',
        owner: 'a@example.com',
        roles: ['support', 'research'],
        clearance: 'internal',
        actor: ACTOR,
      });
      const issued = await harness.tokens.issue({
        clientId: agent.name,
        clientSecret: secret,
        scope: 'research',
      });
      assert.equal(issued.scope, 'research');
      assert.deepEqual((await harness.tokens.verify(issued.accessToken)).roles, ['research']);
      await assert.rejects(
        harness.tokens.issue({ clientId: agent.name, clientSecret: secret, scope: 'support finance' }),
        rejectsWith(
          'WARDEN_INVALID_SCOPE',
          /scope "finance" is not a role of agent "multi-bot"; request a subset of: support research/,
        ),
      );
    });

    test('a token is not returned when its token-issued record cannot be written', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      await harness.audit.close();
      await assert.rejects(
        harness.tokens.issue({ clientId: agent.name, clientSecret: agent.secret }),
        rejectsWith('WARDEN_SHUTTING_DOWN'),
      );
    });
  });

  describe(`token refusal matrix (${kind})`, () => {
    test('a token with alg none is refused with WARDEN_TOKEN_ALGORITHM_REFUSED', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const claims = decodeJwt(await issueFor(harness, agent));
      const { kid } = await harness.keys.tokenSigningKey();
      const token = `${b64({ alg: 'none', kid, typ: 'at+jwt' })}.${b64(claims)}.`;
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_ALGORITHM_REFUSED', /algorithm "none"/),
      );
    });

    test('an HS256 token keyed with the public key is refused with WARDEN_TOKEN_ALGORITHM_REFUSED', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const claims = decodeJwt(await issueFor(harness, agent));
      const jwk = (await harness.keys.jwks()).keys[0]!;
      const input = `${b64({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' })}.${b64(claims)}`;
      for (const secret of [JSON.stringify(jwk), Buffer.from(jwk.x, 'base64url')]) {
        const signature = createHmac('sha256', secret).update(input).digest('base64url');
        await assert.rejects(
          harness.tokens.verify(`${input}.${signature}`),
          rejectsWith('WARDEN_TOKEN_ALGORITHM_REFUSED', /algorithm "HS256"; Warden only accepts EdDSA/),
        );
      }
    });

    test('a token signed by a foreign Ed25519 key under a known kid is refused with WARDEN_TOKEN_SIGNATURE_INVALID', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const foreign = generateKeyPairSync('ed25519').privateKey;
      await assert.rejects(
        harness.tokens.verify(await forge(harness, agent, { key: foreign })),
        rejectsWith('WARDEN_TOKEN_SIGNATURE_INVALID', /signature does not verify/),
      );
    });

    test('a token with a tampered payload is refused with WARDEN_TOKEN_SIGNATURE_INVALID', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const [header, payload, signature] = (await issueFor(harness, agent)).split('.') as [
        string,
        string,
        string,
      ];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const tampered = `${header}.${b64({ ...claims, roles: ['finance'], clearance: 'restricted' })}.${signature}`;
      await assert.rejects(harness.tokens.verify(tampered), rejectsWith('WARDEN_TOKEN_SIGNATURE_INVALID'));
    });

    test('an expired token is refused with WARDEN_TOKEN_EXPIRED once exp + tolerance has passed', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await issueFor(harness, agent);
      harness.clock.advance((LIFETIME_SECONDS + TOLERANCE_SECONDS - 1) * 1000);
      await harness.tokens.verify(token);
      harness.clock.advance(1000);
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_EXPIRED', /has expired; request a new token/),
      );
    });

    test('a token whose nbf is in the future is refused with WARDEN_TOKEN_NOT_YET_VALID', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const now = Math.floor(harness.clock.now() / 1000);
      const token = await forge(harness, agent, {
        claims: { nbf: now + TOLERANCE_SECONDS + 60, exp: now + 3600 },
      });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_NOT_YET_VALID', /not valid yet/),
      );
    });

    test('a token for another audience is refused with WARDEN_TOKEN_AUDIENCE_INVALID', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await forge(harness, agent, { claims: { aud: 'https://other.example' } });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith(
          'WARDEN_TOKEN_AUDIENCE_INVALID',
          /another audience; request a token from this gateway \(https:\/\/warden\.test\)/,
        ),
      );
    });

    test('a token from another issuer is refused with WARDEN_TOKEN_ISSUER_INVALID', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await forge(harness, agent, { claims: { iss: 'https://evil.example' } });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_ISSUER_INVALID', /issued by someone else/),
      );
    });

    test('a token naming an unknown kid is refused with WARDEN_TOKEN_KEY_UNKNOWN', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const foreign = generateKeyPairSync('ed25519').privateKey;
      const token = await forge(harness, agent, {
        key: foreign,
        header: { kid: 'key_unknown0000000000000000' },
      });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith(
          'WARDEN_TOKEN_KEY_UNKNOWN',
          /key "key_unknown0000000000000000", which this gateway does not know/,
        ),
      );
    });

    test('a token of a rotated key verifies until lifetime + tolerance + refresh interval after rotation, then WARDEN_TOKEN_KEY_UNKNOWN', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const old = await issueFor(harness, agent);
      harness.clock.advance(10_000);
      await harness.keys.rotate('token', ACTOR);
      const fresh = await issueFor(harness, agent);
      assert.notEqual(decodeProtectedHeader(fresh).kid, decodeProtectedHeader(old).kid);
      await harness.tokens.verify(old);
      harness.clock.advance((LIFETIME_SECONDS + TOLERANCE_SECONDS + 30) * 1000);
      await assert.rejects(
        harness.tokens.verify(old),
        rejectsWith('WARDEN_TOKEN_KEY_UNKNOWN', /retired too long ago/),
      );
      await assert.rejects(harness.tokens.verify(fresh), rejectsWith('WARDEN_TOKEN_EXPIRED'));
    });

    test('a token of a deleted agent is refused with WARDEN_TOKEN_AGENT_UNKNOWN', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await issueFor(harness, agent);
      const p = kind === 'sqlite' ? '?' : '$1';
      await harness.raw.exec(`DELETE FROM agents WHERE id = ${p}`, [agent.id]);
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_AGENT_UNKNOWN', /"support-bot", which no longer exists/),
      );
    });

    test('a token of an agent suspended after issue is refused on the next call with WARDEN_AGENT_SUSPENDED and the reason, and stays refused after resume', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await issueFor(harness, agent);
      await harness.tokens.verify(token);
      await harness.replica().agents.suspend(agent.name, { actor: 'admin:alice', reason: 'incident 42' });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_AGENT_SUSPENDED', /is suspended: incident 42/),
      );
      await harness.agents.resume(agent.name, { actor: 'admin:alice' });
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith('WARDEN_TOKEN_REVOKED', /or the agent was suspended/),
      );
      await harness.tokens.verify(await issueFor(harness, agent));
    });

    test('a token issued before a secret rotation is refused with WARDEN_TOKEN_REVOKED', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const token = await issueFor(harness, agent);
      const { secret } = await harness.agents.rotateSecret(agent.name, ACTOR);
      await assert.rejects(
        harness.tokens.verify(token),
        rejectsWith(
          'WARDEN_TOKEN_REVOKED',
          /issued before the agent's secret was rotated or the agent was suspended; request a new token/,
        ),
      );
      await assert.rejects(
        harness.tokens.issue({ clientId: agent.name, clientSecret: agent.secret }),
        rejectsWith('WARDEN_INVALID_CLIENT'),
      );
      await harness.tokens.verify(await issueFor(harness, { name: agent.name, secret }));
    });

    const malformed: [string, (harness: Harness, token: string) => string | Promise<string>, RegExp][] = [
      ['empty', () => '', /empty/],
      ['not three parts', (_harness, token) => token.split('.').slice(0, 2).join('.'), /not a compact JWT/],
      [
        'longer than 8 KiB',
        (_harness, token) => `${token}${'A'.repeat(8 * 1024)}`,
        /longer than 8192 characters/,
      ],
      [
        'a header that is not JSON',
        (_harness, token) => `bm90IGpzb24.${token.split('.').slice(1).join('.')}`,
        /header is not valid JSON/,
      ],
      [
        'another typ',
        async (harness, token) =>
          forge(harness, { name: 'support-bot', id: decodeJwt(token).sub! }, { header: { typ: 'JWT' } }),
        /typ must be "at\+jwt"/,
      ],
      [
        'no kid',
        (_harness, token) => {
          const [, payload, signature] = token.split('.');
          return `${b64({ alg: 'EdDSA', typ: 'at+jwt' })}.${payload}.${signature}`;
        },
        /has no kid/,
      ],
      [
        'a missing sv claim',
        async (harness, token) =>
          forge(harness, { name: 'support-bot', id: decodeJwt(token).sub! }, { claims: { sv: undefined } }),
        /claim "sv" is missing or invalid/,
      ],
      [
        'a missing exp claim',
        async (harness, token) =>
          forge(harness, { name: 'support-bot', id: decodeJwt(token).sub! }, { claims: { exp: undefined } }),
        /claim "exp" is missing or invalid/,
      ],
    ];
    for (const [label, make, message] of malformed) {
      test(`a token with ${label} is refused with WARDEN_TOKEN_MALFORMED`, async (t) => {
        const harness = await openHarness(t, kind);
        const agent = await createAgent(harness);
        const token = await make(harness, await issueFor(harness, agent));
        await assert.rejects(harness.tokens.verify(token), rejectsWith('WARDEN_TOKEN_MALFORMED', message));
      });
    }

    test('a token signed by Warden for a swapped public key in the store still fails (the signature is checked against the sealed key)', async (t) => {
      const harness = await openHarness(t, kind);
      const agent = await createAgent(harness);
      const { kid } = await harness.keys.tokenSigningKey();
      const attacker = generateKeyPairSync('ed25519');
      const record = (await harness.store.keys.get(kid))!;
      const swapped = { ...JSON.parse(record.publicJwk), x: attacker.publicKey.export({ format: 'jwk' }).x };
      const p = (n: number): string => (kind === 'sqlite' ? '?' : `$${n}`);
      await harness.raw.exec(`UPDATE signing_keys SET public_jwk = ${p(1)} WHERE kid = ${p(2)}`, [
        JSON.stringify(swapped),
        kid,
      ]);
      const token = await forge(harness, agent, { key: attacker.privateKey });
      // A fresh process refuses the altered key outright.
      await assert.rejects(harness.replica().tokens.verify(token), rejectsWith('WARDEN_KEY_DECRYPT_FAILED'));
      // A process that had loaded the key keeps using the genuine public key.
      await assert.rejects(harness.tokens.verify(token), rejectsWith('WARDEN_TOKEN_SIGNATURE_INVALID'));
      // Raw node:crypto forgeries are no better than jose ones.
      const input = token.split('.').slice(0, 2).join('.');
      const rawSigned = `${input}.${sign(null, Buffer.from(input), attacker.privateKey).toString('base64url')}`;
      await assert.rejects(harness.tokens.verify(rawSigned), rejectsWith('WARDEN_TOKEN_SIGNATURE_INVALID'));
    });
  });
}
