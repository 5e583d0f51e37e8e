/**
 * The incident bundle format: one JSON document holding an agent's audit slice with the chain links and
 * signed checkpoints that prove it, its sessions' labels, pending approvals, config and record, and the
 * policy version in force, signed as a whole (Ed25519 over the RFC 8785 canonical JSON). It is read back
 * only through {@link parseIncidentBundle}: bounded, schema-checked, unknown keys refused.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import type { JsonObject, JsonValue } from '../core/index.js';

export const INCIDENT_BUNDLE_FORMAT = 'warden-incident-bundle';
/** Version 2 adds the signing key id and fingerprint to the signed manifest. */
export const INCIDENT_BUNDLE_VERSION = 2;
/** Largest bundle `warden incident verify` reads. */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** Most audit entries a bundle holds (slice and the links to the checkpoints that cover it). */
export const MAX_BUNDLE_ENTRIES = 200_000;
/** What the signature covers is prefixed with this, so it can never pass for a checkpoint signature. */
const SIGNING_CONTEXT = 'warden-incident-bundle/v2\n';
/** Deepest nesting of free-form JSON (audit details, labels, config) a bundle may hold. */
const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` (straight from JSON.parse) is JSON: strings, finite numbers, booleans, null, arrays
 * and plain objects, at most {@link MAX_JSON_DEPTH} deep. It checks in place and never rebuilds an
 * object, so every own key is kept as parsed, `__proto__` included (the audit log keeps it as an
 * ordinary key, and rebuilding would drop it and break the entry's hash).
 */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= MAX_JSON_DEPTH || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    if (!isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && isJsonValue(value);
}

/** Free-form JSON, validated in place (zod's record would rebuild the object and drop `__proto__`). */
const json = z.custom<JsonValue>((value) => isJsonValue(value), { message: 'expected JSON' });
const jsonObject = z.custom<JsonObject>((value) => isJsonObject(value), {
  message: 'expected a JSON object',
});

/** Whether `text` is the canonical base64url (no padding) of exactly `bytes` bytes. */
export function isCanonicalBase64url(text: unknown, bytes: number): text is string {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return false;
  const decoded = Buffer.from(text, 'base64url');
  return decoded.byteLength === bytes && decoded.toString('base64url') === text;
}
const ed25519Signature = z
  .string()
  .max(256)
  .refine((text) => isCanonicalBase64url(text, 64), {
    message: 'expected the canonical base64url of a 64-byte Ed25519 signature',
  });
const ed25519PublicKey = z.string().refine((text) => isCanonicalBase64url(text, 32), {
  message: 'expected the canonical base64url of a 32-byte Ed25519 public key',
});
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const seq = z.number().int().min(1);

const entrySchema = z
  .object({
    seq,
    time: z.string().max(64),
    type: z.string().max(64),
    actor: z.string().max(1000),
    session: z.string().max(1000).nullable(),
    subject: z.string().max(1000).nullable(),
    decision: z.string().max(100).nullable(),
    policyIds: z.array(z.string().max(1000)),
    detail: jsonObject,
    detailDigest: z.string().max(128),
    prevHash: hex64,
    hash: hex64,
  })
  .strict();

const checkpointSchema = z
  .object({
    seq,
    hash: hex64,
    time: z.string().max(64),
    keyId: z.string().max(128),
    signature: ed25519Signature,
  })
  .strict();

const publicJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: ed25519PublicKey,
    kid: z.string().max(128),
    alg: z.literal('EdDSA').optional(),
    use: z.literal('sig').optional(),
  })
  .strict();

const sessionSchema = z
  .object({
    id: z.string().max(1000),
    firstSeq: seq,
    lastSeq: seq,
    entries: z.number().int().min(0),
    /** The newest `labels` detail recorded for the session, and the entry it is from. */
    labels: json,
    labelsSeq: seq.nullable(),
  })
  .strict();

const sectionsSchema = {
  audit: z
    .object({
      /** Ascending seq: each segment runs from a slice entry to the signed checkpoint that covers it. */
      entries: z.array(entrySchema).max(MAX_BUNDLE_ENTRIES),
      segments: z.array(z.object({ fromSeq: seq, toSeq: seq, checkpointSeq: seq }).strict()),
      checkpoints: z.array(checkpointSchema),
      /** Public halves of the audit keys that signed the checkpoints. */
      keys: z.array(publicJwkSchema),
    })
    .strict(),
  sessions: z.array(sessionSchema),
  approvals: z.array(jsonObject),
  agent: z.object({ record: jsonObject, config: jsonObject.nullable() }).strict(),
  policy: jsonObject,
};

const SECTION_NAMES = ['audit', 'sessions', 'approvals', 'agent', 'policy'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

const manifestSchema = z
  .object({
    bundleId: z.string().max(64),
    agent: z.string().max(64),
    capturedAt: z.string().max(64),
    capturedBy: z.string().max(1000),
    since: z.string().max(64),
    /** The newest seq the capture read (a signed checkpoint). */
    throughSeq: z.number().int().min(0),
    /** Seqs of the entries that concern the agent; the rest of `audit.entries` only link them to a checkpoint. */
    slice: z.array(seq),
    /** The audit key that signs the bundle (`signature.keyId` must equal it). */
    signingKeyId: z.string().max(128),
    /** SHA-256 (hex) of that key's raw 32-byte public key (`signature.publicKey` must hash to it). */
    signingKeyFingerprint: hex64,
    /** SHA-256 of the canonical JSON of each section. */
    contents: z.object(Object.fromEntries(SECTION_NAMES.map((name) => [name, hex64]))).strict(),
  })
  .strict();

const bundleSchema = z
  .object({
    format: z.literal(INCIDENT_BUNDLE_FORMAT),
    version: z.literal(INCIDENT_BUNDLE_VERSION),
    manifest: manifestSchema,
    ...sectionsSchema,
    signature: z
      .object({
        algorithm: z.literal('Ed25519'),
        keyId: z.string().max(128),
        publicKey: publicJwkSchema,
        /** base64url Ed25519 signature over the context string and the canonical bundle without `signature`. */
        value: ed25519Signature,
      })
      .strict(),
  })
  .strict();

export type IncidentBundle = z.infer<typeof bundleSchema>;
export type UnsignedIncidentBundle = Omit<IncidentBundle, 'signature'>;
export type BundleEntry = z.infer<typeof entrySchema>;
export type BundleSession = z.infer<typeof sessionSchema>;
export type BundleCheckpoint = z.infer<typeof checkpointSchema>;
export type BundlePublicKey = z.infer<typeof publicJwkSchema>;
export type BundleManifest = z.infer<typeof manifestSchema>;

export { SECTION_NAMES };

/** SHA-256 (hex) of the canonical JSON of `value`. */
export function digestOf(value: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(value as JsonValue), 'utf8')
    .digest('hex');
}

/** The bytes the bundle signature covers. */
export function signingPayload(bundle: UnsignedIncidentBundle | IncidentBundle): Uint8Array {
  const { signature: _signature, ...unsigned } = bundle as IncidentBundle;
  void _signature;
  return new Uint8Array(
    Buffer.from(SIGNING_CONTEXT + canonicalJson(unsigned as unknown as JsonObject), 'utf8'),
  );
}

/**
 * Reads a bundle from its bytes: at most {@link MAX_BUNDLE_BYTES}, JSON, and the bundle schema.
 *
 * @throws WARDEN_INCIDENT_BUNDLE_INVALID naming what is wrong.
 */
export function parseIncidentBundle(bytes: Uint8Array): IncidentBundle {
  if (bytes.byteLength > MAX_BUNDLE_BYTES) {
    throw new WardenError(
      'WARDEN_INCIDENT_BUNDLE_INVALID',
      `the bundle is ${bytes.byteLength} bytes, more than the ${MAX_BUNDLE_BYTES} a bundle may have`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new WardenError(
      'WARDEN_INCIDENT_BUNDLE_INVALID',
      `the bundle is not JSON (${error instanceof Error ? error.message : String(error)}); give the file \`warden incident capture\` wrote`,
    );
  }
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError(
      'WARDEN_INCIDENT_BUNDLE_INVALID',
      `the bundle does not have the incident bundle shape: ${issue === undefined ? 'unknown problem' : `${issue.path.join('.') || '(top level)'}: ${issue.message}`}`,
      { issues: parsed.error.issues.length },
    );
  }
  return parsed.data;
}

/**
 * The sessions of the slice and their labels as the audit entries recorded them (the newest `labels`
 * detail of each). Verification recomputes this from the entries, so a changed label is found.
 */
export function sessionsOf(entries: readonly BundleEntry[], slice: ReadonlySet<number>): BundleSession[] {
  const byId = new Map<string, BundleSession>();
  for (const entry of entries) {
    if (!slice.has(entry.seq) || entry.session === null) continue;
    let session = byId.get(entry.session);
    if (session === undefined) {
      session = {
        id: entry.session,
        firstSeq: entry.seq,
        lastSeq: entry.seq,
        entries: 0,
        labels: null,
        labelsSeq: null,
      };
      byId.set(entry.session, session);
    }
    session.lastSeq = entry.seq;
    session.entries += 1;
    const labels = entry.detail.labels;
    if (labels !== undefined) {
      session.labels = labels;
      session.labelsSeq = entry.seq;
    }
  }
  return [...byId.values()];
}

/** The bytes `warden incident capture` writes: indented JSON and a final newline. */
export function serializeIncidentBundle(bundle: IncidentBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}
