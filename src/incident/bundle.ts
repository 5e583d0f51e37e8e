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
export const INCIDENT_BUNDLE_VERSION = 1;
/** Largest bundle `warden incident verify` reads. */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** Most audit entries a bundle holds (slice and the links to the checkpoints that cover it). */
export const MAX_BUNDLE_ENTRIES = 200_000;
/** What the signature covers is prefixed with this, so it can never pass for a checkpoint signature. */
const SIGNING_CONTEXT = 'warden-incident-bundle/v1\n';

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const jsonObject = z.record(z.string(), json);
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
    signature: z.string().max(256),
  })
  .strict();

const publicJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
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
        value: z.string().max(256),
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
