/**
 * Incident bundle verification, offline: the bundle signature (against the key in the bundle, or a key
 * the investigator trusts), each section against the signed manifest, each audit entry's hash and its
 * link to the one before, each segment ending at a checkpoint whose Ed25519 signature verifies, every
 * slice entry present and covered, and the session labels against the entries they were taken from.
 * Every check runs; each failure names the entry, checkpoint or section.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { checkpointPayload, computeEntryHash } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import { SECTION_NAMES, digestOf, isCanonicalBase64url, sessionsOf, signingPayload } from './bundle.js';
import type { BundleEntry, BundlePublicKey, IncidentBundle } from './bundle.js';

/** One thing verification found wrong. */
export interface IncidentFailure {
  /** What it concerns: `signature`, `section:<name>`, `entry:<seq>`, `checkpoint:<seq>`, `session:<id>`, `slice`. */
  subject: string;
  message: string;
}

export interface IncidentVerifyReport {
  ok: boolean;
  /** What was checked, one line each (printed by `warden incident verify`). */
  checked: string[];
  failures: IncidentFailure[];
  /**
   * How the signature and checkpoints were checked: with keys the caller trusts (authenticated), or
   * only with the keys the bundle carries (intact, but anyone can make such a bundle with own keys).
   */
  trust: 'trusted-key' | 'bundle-key';
  /** SHA-256 (hex) of the signing key's raw public key, to compare with `warden incident keys`. */
  signingKeyFingerprint: string;
}

export interface VerifyIncidentOptions {
  /**
   * Public keys the investigator trusts (e.g. from `warden incident keys`): the bundle signature and
   * every checkpoint must verify with one of them.
   */
  trustedKeys?: readonly BundlePublicKey[];
}

/**
 * Checks an Ed25519 signature by a public JWK. Only the canonical base64url of a 64-byte signature and
 * of a 32-byte key are taken (another spelling of the same bytes is refused, so a signature has exactly
 * one accepted form). Never throws.
 */
export function verifyEd25519(
  key: Pick<BundlePublicKey, 'x'>,
  payload: Uint8Array,
  signature: string,
): boolean {
  try {
    if (!isCanonicalBase64url(signature, 64) || !isCanonicalBase64url(key.x, 32)) return false;
    return verify(null, payload, publicKeyOf(key), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** SHA-256 (hex) of the raw 32-byte public key. */
export function keyFingerprint(key: Pick<BundlePublicKey, 'x'>): string {
  return createHash('sha256').update(Buffer.from(key.x, 'base64url')).digest('hex');
}

function publicKeyOf(key: Pick<BundlePublicKey, 'x'>): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' });
}

/**
 * Verifies a parsed bundle (see parseIncidentBundle). Resolves to a report; `ok` only when every check
 * passed.
 *
 * @example
 * const report = verifyIncidentBundle(parseIncidentBundle(await readFile('incident.json')));
 * for (const failure of report.failures) console.error(`${failure.subject}: ${failure.message}`);
 */
export function verifyIncidentBundle(
  bundle: IncidentBundle,
  options: VerifyIncidentOptions = {},
): IncidentVerifyReport {
  const checked: string[] = [];
  const failures: IncidentFailure[] = [];
  const fail = (subject: string, message: string): void => {
    failures.push({ subject, message });
  };
  const { manifest, audit } = bundle;

  // 1. The signature over everything else, by the key the signed manifest names.
  const signing = bundle.signature;
  const trusted = options.trustedKeys;
  let signingKey: BundlePublicKey = signing.publicKey;
  if (signing.publicKey.kid !== signing.keyId) {
    fail(
      'signature',
      `the signature names key ${signing.keyId} but carries the public key of ${signing.publicKey.kid}`,
    );
  }
  if (manifest.signingKeyId !== signing.keyId) {
    fail(
      'signature',
      `the signed manifest names signing key ${manifest.signingKeyId}, but the signature is by ${signing.keyId}`,
    );
  }
  const carriedFingerprint = keyFingerprint(signing.publicKey);
  if (manifest.signingKeyFingerprint !== carriedFingerprint) {
    fail(
      'signature',
      `the public key the bundle carries (fingerprint ${carriedFingerprint.slice(0, 16)}…) is not the one the signed manifest names (${manifest.signingKeyFingerprint.slice(0, 16)}…)`,
    );
  }
  if (trusted !== undefined) {
    const match =
      trusted.find((key) => key.x === signing.publicKey.x) ??
      trusted.find((key) => key.kid === signing.keyId);
    if (match === undefined) {
      fail(
        'signature',
        `the bundle is signed by key ${signing.keyId} (fingerprint ${carriedFingerprint.slice(0, 16)}…), which is not among the trusted keys given`,
      );
    } else if (match.x !== signing.publicKey.x) {
      fail(
        'signature',
        `the bundle carries a public key for ${signing.keyId} that differs from the trusted key of that id: the key in the bundle was replaced`,
      );
      signingKey = match;
    } else {
      signingKey = match;
    }
  }
  const payload = signingPayload(bundle);
  if (verifyEd25519(signingKey, payload, signing.value)) {
    checked.push(
      `bundle signature: Ed25519 by key ${signing.keyId} verified ${trusted === undefined ? 'only against the key the bundle carries: intact, but not authenticated (pass --public-key to check it against a key you trust)' : 'against a trusted key'}`,
    );
  } else {
    fail(
      'signature',
      `the bundle signature by key ${signing.keyId} does not verify: the bundle was changed after it was signed, or signed by another key`,
    );
  }

  // 2. Each section against the manifest (names the part that changed even when the signature alone cannot).
  for (const section of SECTION_NAMES) {
    const expected = (manifest.contents as Record<string, string>)[section];
    if (expected !== digestOf(bundle[section])) {
      fail(
        `section:${section}`,
        `the ${section} section differs from what the signed manifest records (digest ${String(expected).slice(0, 12)}…)`,
      );
    }
  }
  checked.push(`sections: ${SECTION_NAMES.join(', ')} against the manifest digests`);

  // 3. Checkpoint keys: with trusted keys given, each checkpoint's key must be one of them (a key the
  // bundle carries is then only a claim); else the keys the bundle carries (covered by its signature).
  const checkpoints = new Map(audit.checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint]));
  const verifiedCheckpoints = new Set<number>();
  for (const checkpoint of audit.checkpoints) {
    const subject = `checkpoint:${checkpoint.seq}`;
    const carried = audit.keys.find((candidate) => candidate.kid === checkpoint.keyId);
    let key: BundlePublicKey | undefined = carried;
    if (trusted !== undefined) {
      key =
        trusted.find((candidate) => candidate.kid === checkpoint.keyId) ??
        (carried === undefined ? undefined : trusted.find((candidate) => candidate.x === carried.x));
      if (key === undefined) {
        fail(
          subject,
          `the checkpoint at seq ${checkpoint.seq} is signed by key ${checkpoint.keyId}, which is not among the trusted keys given`,
        );
        continue;
      }
      if (carried !== undefined && carried.x !== key.x) {
        fail(
          subject,
          `the bundle carries a public key for ${checkpoint.keyId} that differs from the trusted key of that id: the key in the bundle was replaced`,
        );
      }
    }
    if (key === undefined) {
      fail(
        subject,
        `the checkpoint at seq ${checkpoint.seq} is signed by key ${checkpoint.keyId}, which the bundle does not carry`,
      );
    } else if (!verifyEd25519(key, checkpointPayload(checkpoint), checkpoint.signature)) {
      fail(
        subject,
        `the signature of the checkpoint at seq ${checkpoint.seq} (key ${checkpoint.keyId}) does not verify: it was forged or altered`,
      );
    } else {
      verifiedCheckpoints.add(checkpoint.seq);
    }
  }
  checked.push(
    `checkpoints: ${verifiedCheckpoints.size} of ${audit.checkpoints.length} Ed25519 signatures verified`,
  );

  // 4. Entries: hashes, then links and seqs within each segment, each segment ending at its checkpoint.
  const entries = audit.entries;
  const bySeq = new Map<number, BundleEntry>();
  let hashed = 0;
  for (const [index, entry] of entries.entries()) {
    let computed: string;
    try {
      computed = computeEntryHash(entry);
    } catch {
      computed = '(unhashable)';
    }
    if (computed !== entry.hash) {
      fail(
        `entry:${entry.seq}`,
        `audit entry ${entry.seq} (${entry.type}) was changed: its content hashes to ${computed.slice(0, 12)}…, not its recorded hash ${entry.hash.slice(0, 12)}…`,
      );
    } else {
      hashed += 1;
    }
    const previous = index > 0 ? entries[index - 1] : undefined;
    if (previous !== undefined && entry.seq <= previous.seq) {
      fail(
        `entry:${entry.seq}`,
        `audit entry ${entry.seq} comes after entry ${previous.seq}: the entries were reordered`,
      );
    }
    if (bySeq.has(entry.seq)) fail(`entry:${entry.seq}`, `audit entry ${entry.seq} appears twice`);
    bySeq.set(entry.seq, entry);
  }
  checked.push(`entries: ${hashed} of ${entries.length} hashes recomputed and matching`);

  const covered = new Set<number>();
  let linked = 0;
  for (const segment of audit.segments) {
    let broken = false;
    for (let seq = segment.fromSeq; seq <= segment.toSeq; seq += 1) {
      const entry = bySeq.get(seq);
      if (entry === undefined) {
        fail(
          `entry:${seq}`,
          `audit entry ${seq} is missing: the segment ${segment.fromSeq}..${segment.toSeq} linking the slice to checkpoint ${segment.checkpointSeq} needs it`,
        );
        broken = true;
        continue;
      }
      const previous = bySeq.get(seq - 1);
      if (seq > segment.fromSeq && previous !== undefined && entry.prevHash !== previous.hash) {
        fail(
          `entry:${seq}`,
          `audit entry ${seq} links to ${entry.prevHash.slice(0, 12)}…, but entry ${seq - 1} hashes to ${previous.hash.slice(0, 12)}…: entries were changed, removed or reordered here`,
        );
        broken = true;
      }
    }
    const checkpoint = checkpoints.get(segment.checkpointSeq);
    const last = bySeq.get(segment.toSeq);
    if (segment.checkpointSeq !== segment.toSeq || checkpoint === undefined) {
      fail(
        `checkpoint:${segment.checkpointSeq}`,
        `the segment ${segment.fromSeq}..${segment.toSeq} does not end at a checkpoint the bundle carries`,
      );
      broken = true;
    } else if (last !== undefined && checkpoint.hash !== last.hash) {
      fail(
        `checkpoint:${checkpoint.seq}`,
        `the signed checkpoint at seq ${checkpoint.seq} holds hash ${checkpoint.hash.slice(0, 12)}…, but entry ${segment.toSeq} hashes to ${last.hash.slice(0, 12)}…`,
      );
      broken = true;
    } else if (!verifiedCheckpoints.has(checkpoint.seq)) {
      broken = true;
    }
    if (!broken) {
      linked += 1;
      for (let seq = segment.fromSeq; seq <= segment.toSeq; seq += 1) covered.add(seq);
    }
  }
  checked.push(
    `chain: ${linked} of ${audit.segments.length} segments linked entry by entry to a signed checkpoint`,
  );

  // 5. The slice: every entry present and under a verified checkpoint.
  let inSlice = 0;
  for (const seq of manifest.slice) {
    const entry = bySeq.get(seq);
    if (entry === undefined) {
      fail(`entry:${seq}`, `audit entry ${seq} of the slice is missing from the bundle`);
    } else if (!covered.has(seq)) {
      fail(`entry:${seq}`, `audit entry ${seq} of the slice is not proven by a signed checkpoint`);
    } else {
      inSlice += 1;
    }
  }
  checked.push(
    `slice: ${inSlice} of ${manifest.slice.length} entries about ${manifest.agent} present and covered by a signed checkpoint`,
  );

  // 6. Session labels against the entries they were taken from.
  const expected = new Map(
    sessionsOf(entries, new Set(manifest.slice)).map((session) => [session.id, session]),
  );
  for (const session of bundle.sessions) {
    const recorded = expected.get(session.id);
    if (recorded === undefined) {
      fail(`session:${session.id}`, `session ${session.id} has no entry in the slice`);
    } else if (digestOf(recorded) !== digestOf(session)) {
      fail(
        `session:${session.id}`,
        `the labels or counts of session ${session.id} differ from those recorded in the audit entries${recorded.labelsSeq === null ? '' : ` (labels from entry ${recorded.labelsSeq})`}`,
      );
    }
    expected.delete(session.id);
  }
  for (const id of expected.keys())
    fail(`session:${id}`, `session ${id} of the slice is missing from the sessions section`);
  checked.push(`sessions: ${bundle.sessions.length} sessions' labels compared with the audit entries`);

  return {
    ok: failures.length === 0,
    checked,
    failures,
    trust: trusted === undefined ? 'bundle-key' : 'trusted-key',
    signingKeyFingerprint: keyFingerprint(signingKey),
  };
}

/**
 * Reads trusted public keys: a JWK, a JWK set (`{ keys: [...] }`, as `warden incident keys` prints) or a
 * PEM public key. Only Ed25519 keys are taken.
 *
 * @throws WARDEN_USAGE when the text holds no Ed25519 public key.
 */
export function parseTrustedKeys(text: string): BundlePublicKey[] {
  const trimmed = text.trim();
  const keys: BundlePublicKey[] = [];
  const add = (value: unknown, fallbackKid: string): void => {
    const jwk = value as {
      kty?: unknown;
      crv?: unknown;
      x?: unknown;
      kid?: unknown;
      alg?: unknown;
      use?: unknown;
    } | null;
    if (jwk === null || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return;
    if (!isCanonicalBase64url(jwk.x, 32)) return;
    // A key meant for something else is not taken.
    if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') return;
    if (jwk.use !== undefined && jwk.use !== 'sig') return;
    keys.push({
      kty: 'OKP',
      crv: 'Ed25519',
      x: jwk.x,
      kid: typeof jwk.kid === 'string' ? jwk.kid.slice(0, 128) : fallbackKid,
    });
  };
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      const jwk = createPublicKey(trimmed).export({ format: 'jwk' });
      add(jwk, 'pem');
    } catch {
      // reported below
    }
  } else {
    try {
      const value = JSON.parse(trimmed) as { keys?: unknown };
      if (Array.isArray(value.keys))
        value.keys.slice(0, 100).forEach((key, index) => add(key, `key-${index}`));
      else add(value, 'key-0');
    } catch {
      // reported below
    }
  }
  if (keys.length === 0) {
    throw new WardenError(
      'WARDEN_USAGE',
      'the public key file holds no Ed25519 public key; give a JWK, a JWK set (`warden incident keys` prints one) or a PEM public key',
    );
  }
  return keys;
}
