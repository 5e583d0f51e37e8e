/**
 * Incident bundles on a real gateway (SQLite store, demo upstreams, real audit log and keys): a captured
 * bundle verifies; changing, removing or reordering an entry, changing a label or the signature fails
 * verification, naming what; a key the investigator trusts is checked; nothing secret is in the bundle.
 */
import * as assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/index.js';
import {
  captureIncident,
  parseIncidentBundle,
  parseTrustedKeys,
  serializeIncidentBundle,
  verifyIncidentBundle,
} from '../../src/incident/index.js';
import { checkpointPayload } from '../../src/audit/index.js';
import { digestOf, signingPayload } from '../../src/incident/bundle.js';
import { keyFingerprint } from '../../src/incident/verify.js';
import type { IncidentBundle } from '../../src/incident/index.js';
import type { CallSession } from '../../src/pipeline/index.js';
import { openGatewayHarness } from '../pipeline/harness.js';
import type { GatewayHarness } from '../pipeline/harness.js';

describe('incident capture and verify', () => {
  let harness: GatewayHarness;
  let bundle: IncidentBundle;
  let supportSession: CallSession;

  const call = async (
    agent: string,
    session: CallSession,
    toolName: string,
    args: JsonObject,
  ): Promise<void> => {
    await harness.gateway.pipeline.callTool({
      caller: await harness.caller(agent),
      session,
      toolName,
      arguments: args,
      clientIp: '10.0.0.7',
      requestId: `req-${Math.random()}`,
    });
  };

  const capture = (agent = 'support-bot', since = '2026-01-01T00:00:00.000Z'): Promise<IncidentBundle> =>
    captureIncident({
      store: harness.warden.store,
      audit: harness.warden.audit,
      keys: harness.warden.keys,
      loaded: harness.loaded,
      clock: harness.clock,
      agent,
      since,
      actor: 'cli:investigator',
    });

  /** A deep copy to tamper with, read back through the parser as the CLI would. */
  const copy = (): IncidentBundle => parseIncidentBundle(Buffer.from(JSON.stringify(bundle)));

  before(async () => {
    harness = await openGatewayHarness();
    supportSession = harness.session('mcp-session-support-1');
    const financeSession = harness.session('mcp-session-finance-1');
    await call('support-bot', supportSession, 'crm__read_customer', { id: 'c-1001' });
    await call('finance-bot', financeSession, 'payments__get_balance', { account: 'acct-payroll' });
    await harness.warden.audit.checkpoint();
    await call('support-bot', supportSession, 'crm__search_customers', { query: 'Nguyen' });
    await call('finance-bot', financeSession, 'payments__get_balance', { account: 'acct-ops' });
    await call('support-bot', supportSession, 'mail__send_email', { to: 'x@example.com', body: 'hi' });
    bundle = await capture();
  });
  after(async () => {
    await harness?.close();
  });

  test('a captured bundle verifies, holding the slice, its proof, sessions, config and policy', () => {
    const report = verifyIncidentBundle(copy());
    assert.deepEqual(report.failures, []);
    assert.equal(report.ok, true);
    assert.equal(report.trust, 'bundle-key');
    assert.ok(report.checked.some((line) => /bundle signature/.test(line)));
    assert.ok(report.checked.some((line) => /segments linked/.test(line)));

    const slice = new Set(bundle.manifest.slice);
    const sliceEntries = bundle.audit.entries.filter((entry) => slice.has(entry.seq));
    assert.ok(sliceEntries.some((entry) => entry.subject === 'tool:crm__read_customer'));
    assert.ok(sliceEntries.some((entry) => entry.type === 'incident-captured'));
    assert.ok(
      !sliceEntries.some((entry) => entry.actor === 'agent:finance-bot'),
      'entries of other agents are not in the slice',
    );
    assert.ok(bundle.audit.segments.length >= 2, 'one segment per checkpoint reached');
    assert.ok(bundle.audit.checkpoints.length >= 2);
    assert.deepEqual(
      bundle.sessions.map((session) => session.id),
      ['mcp-session-support-1'],
    );
    assert.equal(bundle.agent.record.name, 'support-bot');
    assert.equal(bundle.agent.record.secretHash, undefined);
    assert.equal((bundle.agent.config as { owner?: string }).owner, 'lan.nguyen@example.com');
    const policy = bundle.policy as {
      inForce: { version: string };
      onDisk: { version: string; files: { name: string }[] };
      onDiskMatchesInForce: boolean;
    };
    assert.match(policy.inForce.version, /^sha256:/);
    assert.equal(policy.onDiskMatchesInForce, true);
    assert.ok(policy.onDisk.files.length > 0);
  });

  test('a changed entry fails, naming its seq', () => {
    const tampered = copy();
    const target = tampered.audit.entries.find((entry) => entry.subject === 'tool:crm__read_customer')!;
    target.detail = { ...target.detail, requestId: 'forged' };
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.ok(report.failures.some((failure) => failure.subject === 'signature'));
    assert.ok(
      report.failures.some(
        (failure) => failure.subject === `entry:${target.seq}` && /was changed/.test(failure.message),
      ),
      JSON.stringify(report.failures),
    );
  });

  test('a removed entry fails, naming the missing seq', () => {
    const tampered = copy();
    const index = tampered.audit.entries.findIndex((entry) => entry.subject === 'tool:crm__search_customers');
    const [removed] = tampered.audit.entries.splice(index, 1);
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.ok(
      report.failures.some(
        (failure) => failure.subject === `entry:${removed!.seq}` && /missing/.test(failure.message),
      ),
      JSON.stringify(report.failures),
    );
  });

  test('reordered entries fail', () => {
    const tampered = copy();
    const entries = tampered.audit.entries;
    const index = entries.findIndex((entry) => entry.subject === 'tool:crm__search_customers');
    [entries[index], entries[index + 1]] = [entries[index + 1]!, entries[index]!];
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.ok(
      report.failures.some((failure) => /reordered/.test(failure.message)),
      JSON.stringify(report.failures),
    );
  });

  test('a changed session label fails, naming the session', () => {
    const tampered = copy();
    tampered.sessions[0]!.labels = { untrusted: false, note: 'forged' };
    tampered.sessions[0]!.labelsSeq = tampered.sessions[0]!.firstSeq;
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.ok(report.failures.some((failure) => failure.subject === 'session:mcp-session-support-1'));
    assert.ok(report.failures.some((failure) => failure.subject === 'section:sessions'));
  });

  test('a changed signature fails; a key the investigator trusts is required to match', () => {
    const tampered = copy();
    const value = tampered.signature.value;
    tampered.signature.value = `${value[0] === 'A' ? 'B' : 'A'}${value.slice(1)}`;
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.failures.map((failure) => failure.subject),
      ['signature'],
    );

    const trusted = parseTrustedKeys(JSON.stringify({ keys: [bundle.signature.publicKey] }));
    assert.equal(verifyIncidentBundle(copy(), { trustedKeys: trusted }).ok, true);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const untrusted = verifyIncidentBundle(copy(), { trustedKeys: parseTrustedKeys(other) });
    assert.equal(untrusted.ok, false);
    assert.match(untrusted.failures[0]!.message, /not among the trusted keys/);
  });

  test('a re-signed forgery (new key in the bundle) verifies only against itself, not a trusted key', () => {
    const tampered = copy();
    tampered.signature.publicKey = { ...tampered.signature.publicKey, x: 'A'.repeat(43) };
    const report = verifyIncidentBundle(tampered, {
      trustedKeys: parseTrustedKeys(JSON.stringify(bundle.signature.publicKey)),
    });
    assert.equal(report.ok, false);
  });

  test('no secret value in the bundle; pending approvals carry redacted arguments only', async () => {
    const secretBundle = await captureIncident({
      store: harness.warden.store,
      audit: harness.warden.audit,
      keys: harness.warden.keys,
      loaded: harness.loaded,
      clock: harness.clock,
      agent: 'finance-bot',
      since: '2026-01-01T00:00:00.000Z',
      actor: 'cli:investigator',
    });
    const text = JSON.stringify(secretBundle);
    assert.ok(!text.includes('argumentsSealed'));
    assert.ok(!text.includes('resultSealed'));
    assert.ok(!/scrypt\$/.test(text));
    assert.equal(verifyIncidentBundle(secretBundle).ok, true);
  });

  test('unreadable input is refused with a clear error', () => {
    assert.throws(
      () => parseIncidentBundle(Buffer.from('not json')),
      /WARDEN_INCIDENT_BUNDLE_INVALID|not JSON/,
    );
    assert.throws(
      () => parseIncidentBundle(Buffer.from(JSON.stringify({ ...bundle, extra: 1 }))),
      (error: { code?: string }) => error.code === 'WARDEN_INCIDENT_BUNDLE_INVALID',
    );
  });

  test('a signature or key in another base64url spelling of the same bytes is refused', () => {
    // 64 bytes are 86 base64url characters whose last one carries 4 unused bits: flipping one of them
    // decodes to the same bytes, and must not pass.
    const value = bundle.signature.value;
    const last = value[value.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = `${value.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    assert.deepEqual(Buffer.from(twin, 'base64url'), Buffer.from(value, 'base64url'));
    const text = JSON.stringify({ ...bundle, signature: { ...bundle.signature, value: twin } });
    assert.throws(
      () => parseIncidentBundle(Buffer.from(text)),
      (error: { code?: string; message?: string }) =>
        error.code === 'WARDEN_INCIDENT_BUNDLE_INVALID' && /canonical base64url/.test(error.message ?? ''),
    );
    const x = bundle.signature.publicKey.x;
    const keyTwin = `${x.slice(0, -1)}${alphabet[alphabet.indexOf(x[x.length - 1]!) ^ 1]}`;
    assert.throws(() => parseTrustedKeys(JSON.stringify({ ...bundle.signature.publicKey, x: keyTwin })));
    assert.throws(() => parseTrustedKeys(JSON.stringify({ ...bundle.signature.publicKey, alg: 'ES256' })));
  });

  test('the signing key id and fingerprint are in the signed manifest', () => {
    assert.equal(bundle.manifest.signingKeyId, bundle.signature.keyId);
    assert.equal(bundle.manifest.signingKeyFingerprint, keyFingerprint(bundle.signature.publicKey));
    const tampered = copy();
    tampered.signature.keyId = 'audit-other';
    tampered.signature.publicKey.kid = 'audit-other';
    const report = verifyIncidentBundle(tampered);
    assert.equal(report.ok, false);
    assert.ok(
      report.failures.some((failure) => /signed manifest names signing key/.test(failure.message)),
      JSON.stringify(report.failures),
    );
  });

  test("a forgery signed with the forger's own keys is intact but not authenticated; pinned keys refuse it", () => {
    // Re-sign every checkpoint and the bundle with a new key, as anyone could.
    const forger = generateKeyPairSync('ed25519');
    const forged = copy();
    const x = (forger.publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const kid = forged.signature.keyId;
    const forgedKey = {
      kty: 'OKP' as const,
      crv: 'Ed25519' as const,
      x,
      kid,
      alg: 'EdDSA' as const,
      use: 'sig' as const,
    };
    forged.audit.keys = [forgedKey];
    forged.audit.checkpoints = forged.audit.checkpoints.map((checkpoint) => ({
      ...checkpoint,
      keyId: kid,
      signature: signWith(forger.privateKey, checkpointPayload({ ...checkpoint, keyId: kid })),
    }));
    forged.manifest.contents.audit = digest(forged.audit);
    forged.manifest.signingKeyFingerprint = keyFingerprint(forgedKey);
    forged.signature.publicKey = forgedKey;
    forged.signature.value = signWith(forger.privateKey, signingPayload(forged));
    const reread = parseIncidentBundle(Buffer.from(serializeIncidentBundle(forged)));

    const alone = verifyIncidentBundle(reread);
    assert.deepEqual(alone.failures, []);
    assert.equal(alone.trust, 'bundle-key', 'only intact: the CLI says NOT AUTHENTICATED and exits 3');

    const pinned = verifyIncidentBundle(reread, { trustedKeys: bundle.audit.keys });
    assert.equal(pinned.ok, false);
    assert.ok(pinned.failures.some((failure) => failure.subject === 'signature'));
    assert.ok(
      pinned.failures.some((failure) => failure.subject.startsWith('checkpoint:')),
      'each checkpoint must be signed by a pinned key too',
    );
  });

  test('a checkpoint signed by a key that is not pinned fails even when the bundle signature is good', () => {
    const trusted = parseTrustedKeys(JSON.stringify({ keys: [bundle.signature.publicKey] }));
    const otherCheckpointKeys = bundle.audit.checkpoints.filter(
      (checkpoint) => checkpoint.keyId !== bundle.signature.keyId,
    );
    // All checkpoints here are by the one audit key: pinning it verifies; pinning nothing usable fails.
    assert.equal(otherCheckpointKeys.length, 0);
    assert.equal(verifyIncidentBundle(copy(), { trustedKeys: trusted }).ok, true);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string };
    const report = verifyIncidentBundle(copy(), {
      trustedKeys: [{ kty: 'OKP', crv: 'Ed25519', x: other.x, kid: 'someone-else' }],
    });
    assert.ok(
      report.failures.some((failure) => /checkpoint.*not among the trusted keys/.test(failure.message)),
    );
  });

  test('an audit detail with a __proto__ key (agents choose argument keys) survives the bundle', async () => {
    await harness.warden.audit.record({
      type: 'tool-call-noted',
      actor: 'agent:support-bot',
      subject: 'tool:crm__read_customer',
      detail: JSON.parse(
        '{"arguments":{"__proto__":{"polluted":true},"id":"c-1"},"__proto__":"x"}',
      ) as JsonObject,
    });
    const captured = await capture();
    const text = serializeIncidentBundle(captured);
    assert.match(text, /"__proto__"/);
    const reread = parseIncidentBundle(Buffer.from(text));
    const entry = reread.audit.entries.find((candidate) => candidate.type === 'tool-call-noted')!;
    assert.ok(Object.hasOwn(entry.detail, '__proto__'));
    const report = verifyIncidentBundle(reread, { trustedKeys: captured.audit.keys });
    assert.deepEqual(report.failures, []);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  test('an entry with an earlier time inside a segment (clock skew between replicas) is kept as a link', async () => {
    harness.clock.advance(3_600_000);
    const since = new Date(harness.clock.now()).toISOString();
    await call('support-bot', supportSession, 'crm__read_customer', { id: 'c-2002' });
    const now = harness.clock.now();
    harness.clock.set(now - 600_000); // another replica, 10 minutes behind
    await call('finance-bot', harness.session('mcp-session-finance-2'), 'payments__get_balance', {
      account: 'acct-skew',
    });
    harness.clock.set(now + 1000);
    await call('support-bot', supportSession, 'crm__search_customers', { query: 'skew' });
    const captured = await capture('support-bot', since);
    const skewed = captured.audit.entries.find((entry) => Date.parse(entry.time) < Date.parse(since));
    assert.ok(skewed !== undefined, 'the skewed entry is in the bundle as a link');
    assert.ok(!captured.manifest.slice.includes(skewed.seq), 'but not in the slice');
    const report = verifyIncidentBundle(parseIncidentBundle(Buffer.from(serializeIncidentBundle(captured))));
    assert.deepEqual(report.failures, []);
  });
});

function signWith(key: KeyObject, payload: Uint8Array): string {
  return sign(null, payload, key).toString('base64url');
}

function digest(value: unknown): string {
  return digestOf(value);
}
