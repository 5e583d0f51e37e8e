/**
 * Incident capture: writes what an investigator needs about one agent into a signed bundle. Nothing in
 * it is a secret: audit entries are stored redacted, approvals appear as approvers see them (never the
 * sealed arguments or results), and the agent's config keeps its secret reference, never the value.
 * The capture is recorded (`incident-captured`) before anything is read, and a checkpoint is signed
 * right after, so the slice ends under a signature. The bundle is read back from its serialized form and
 * verified before it is returned: one that would not verify is never written.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { approvalView } from '../approvals/index.js';
import { checkpointPayload, computeEntryHash } from '../audit/index.js';
import type { AuditEntryRecord, CheckpointSigner, CheckpointVerifier } from '../audit/index.js';
import type { LoadedConfig } from '../config/index.js';
import { WardenError, isoTime, newId } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { publicAgent } from '../identity/index.js';
import { PolicyService } from '../policy/index.js';
import type { AuditCheckpointRecord, Store } from '../store/index.js';
import {
  INCIDENT_BUNDLE_FORMAT,
  INCIDENT_BUNDLE_VERSION,
  MAX_BUNDLE_ENTRIES,
  SECTION_NAMES,
  digestOf,
  parseIncidentBundle,
  serializeIncidentBundle,
  sessionsOf,
  signingPayload,
} from './bundle.js';
import type { BundleEntry, BundlePublicKey, IncidentBundle, UnsignedIncidentBundle } from './bundle.js';
import { keyFingerprint, verifyEd25519, verifyIncidentBundle } from './verify.js';

/** The services a capture reads from. */
export interface CaptureIncidentOptions {
  store: Store;
  /** The audit log: records `incident-captured` and signs the checkpoint that ends the slice. */
  audit: {
    record(event: {
      type: string;
      actor: string;
      subject?: string | null;
      detail?: JsonObject;
    }): Promise<unknown>;
    checkpoint(): Promise<AuditCheckpointRecord | null>;
  };
  /** Signs the bundle and checks the checkpoints against the keys Warden holds (KeyManager). */
  keys: { checkpointSigner(): CheckpointSigner; checkpointVerifier(): CheckpointVerifier };
  loaded: LoadedConfig;
  clock: Clock;
  agent: string;
  /** ISO-8601 time: entries at or after it. */
  since: string;
  actor: string;
  /** Where the bundle goes (recorded in the audit entry). */
  destination?: string;
}

const PAGE_SIZE = 5000;

/**
 * Captures the incident bundle of one agent. Returns the signed bundle (write it as JSON).
 *
 * @throws WARDEN_AGENT_NOT_FOUND; WARDEN_USAGE when the slice needs more than the entries a bundle may
 *   hold; WARDEN_AUDIT_TAMPERED when a checkpoint or key does not verify (nothing is written).
 */
export async function captureIncident(options: CaptureIncidentOptions): Promise<IncidentBundle> {
  const { store, loaded, clock } = options;
  const agentRecord = await store.agents.getByName(options.agent);
  if (agentRecord === null) {
    throw new WardenError(
      'WARDEN_AGENT_NOT_FOUND',
      `there is no agent named ${JSON.stringify(options.agent.slice(0, 64))}; run \`warden agents list\` to see the agents`,
      { agent: options.agent.slice(0, 64) },
    );
  }
  const name = agentRecord.name;
  const bundleId = newId('inc');
  // Record before act; this entry is itself part of the slice (subject agent:<name>).
  await options.audit.record({
    type: 'incident-captured',
    actor: options.actor,
    subject: `agent:${name}`,
    detail: {
      bundleId,
      since: options.since,
      ...(options.destination ? { destination: options.destination } : {}),
    },
  });
  await options.audit.checkpoint();
  const covering = await store.audit.latestCheckpoint();
  const throughSeq = covering?.seq ?? 0;

  const checkpoints = (await store.audit.checkpoints()).filter((checkpoint) => checkpoint.seq <= throughSeq);
  const checkpointAt = new Map(checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint]));

  // Read by seq from the first entry at or after `since` to the covering checkpoint; keep each slice
  // entry and the entries after it up to the next checkpoint (which its hash is linked to). The time
  // decides only what is in the slice: an entry with an earlier time inside that range (clocks of
  // replicas differ) is still read, as a link.
  const slice: number[] = [];
  const kept: BundleEntry[] = [];
  const segments: { fromSeq: number; toSeq: number; checkpointSeq: number }[] = [];
  const usedCheckpoints: AuditCheckpointRecord[] = [];
  const sessions = new Set<string>();
  const approvals = new Set<string>();
  const sinceMs = Date.parse(options.since);
  let open: BundleEntry[] = [];
  let fromSeq = throughSeq + 1;
  if (throughSeq > 0) {
    const first = await store.audit.query({
      toSeq: throughSeq,
      sinceTime: options.since,
      order: 'asc',
      limit: 1,
    });
    fromSeq = first[0]?.seq ?? throughSeq + 1;
  }
  let expectedSeq = fromSeq;
  while (fromSeq <= throughSeq) {
    const page = await store.audit.query({ fromSeq, toSeq: throughSeq, order: 'asc', limit: PAGE_SIZE });
    for (const entry of page) {
      if (entry.seq !== expectedSeq) {
        throw tampered(
          `audit entry ${expectedSeq} is missing from the store (the next entry is ${entry.seq})`,
        );
      }
      expectedSeq += 1;
      const inPeriod = Date.parse(entry.time) >= sinceMs;
      if (inPeriod && concerns(entry, name, sessions, approvals)) {
        slice.push(entry.seq);
        if (entry.session !== null) sessions.add(entry.session);
        const approvalId = entry.detail.approvalId;
        if (typeof approvalId === 'string') approvals.add(approvalId);
        if (entry.subject?.startsWith('approval:') === true) approvals.add(entry.subject.slice(9));
        open.push(toBundleEntry(entry));
      } else if (open.length > 0) {
        open.push(toBundleEntry(entry));
      }
      const checkpoint = checkpointAt.get(entry.seq);
      if (checkpoint !== undefined && open.length > 0) {
        segments.push({ fromSeq: open[0]!.seq, toSeq: entry.seq, checkpointSeq: checkpoint.seq });
        usedCheckpoints.push(checkpoint);
        kept.push(...open);
        open = [];
      }
      if (kept.length + open.length > MAX_BUNDLE_ENTRIES) {
        throw new WardenError(
          'WARDEN_USAGE',
          `the slice of ${name} since ${options.since} and the entries linking it to a checkpoint exceed ${MAX_BUNDLE_ENTRIES} entries; capture a shorter period with --since`,
        );
      }
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE_SIZE) break;
    fromSeq = last.seq + 1;
  }
  if (throughSeq > 0 && expectedSeq <= throughSeq) {
    throw tampered(`audit entries ${expectedSeq}..${throughSeq} are missing from the store`);
  }
  if (open.length > 0) {
    // Cannot happen: the covering checkpoint is the last seq read. Refuse rather than ship unproven entries.
    throw new WardenError(
      'WARDEN_INTERNAL',
      `audit entries ${open[0]!.seq}..${open[open.length - 1]!.seq} are not covered by a signed checkpoint; retry the capture`,
    );
  }

  // Public halves of the keys: each checkpoint must verify both with Warden's own check (key derived
  // from the sealed private half) and with the public key shipped in the bundle.
  const verifier = options.keys.checkpointVerifier();
  const keyIds = new Set(usedCheckpoints.map((checkpoint) => checkpoint.keyId));
  const signer = options.keys.checkpointSigner();
  const signingKeyId = await signer.keyId();
  keyIds.add(signingKeyId);
  const keys: BundlePublicKey[] = [];
  for (const kid of keyIds) {
    const record = await store.keys.get(kid);
    if (record === null || record.purpose !== 'audit') throw tampered(`audit key ${kid} is not in the store`);
    keys.push(toPublicKey(record.publicJwk, kid));
  }
  for (const checkpoint of usedCheckpoints) {
    const payload = checkpointPayload(checkpoint);
    const key = keys.find((candidate) => candidate.kid === checkpoint.keyId);
    if (
      (await verifier.verify(checkpoint.keyId, payload, checkpoint.signature)) !== 'valid' ||
      key === undefined ||
      !verifyEd25519(key, payload, checkpoint.signature)
    ) {
      throw tampered(`the checkpoint at seq ${checkpoint.seq} does not verify`);
    }
  }
  for (const entry of kept) {
    if (computeEntryHash(entry) !== entry.hash)
      throw tampered(`audit entry ${entry.seq} does not hash to its stored hash`);
  }

  const signingKey = keys.find((key) => key.kid === signingKeyId)!;
  const pending = await store.approvals.list({ agentId: agentRecord.id, statuses: ['pending'], limit: 1000 });
  const unsigned: UnsignedIncidentBundle = {
    format: INCIDENT_BUNDLE_FORMAT,
    version: INCIDENT_BUNDLE_VERSION,
    manifest: {
      bundleId,
      agent: name,
      capturedAt: isoTime(clock),
      capturedBy: options.actor,
      since: options.since,
      throughSeq,
      slice,
      signingKeyId,
      signingKeyFingerprint: keyFingerprint(signingKey),
      contents: {},
    },
    audit: { entries: kept, segments, checkpoints: usedCheckpoints, keys },
    sessions: sessionsOf(kept, new Set(slice)),
    approvals: pending.map((approval) => toJsonObject(approvalView(approval))),
    agent: { record: toJsonObject(publicAgent(agentRecord)), config: agentConfig(loaded, name) },
    policy: await policyInForce(options, kept),
  };
  unsigned.manifest.contents = Object.fromEntries(
    SECTION_NAMES.map((section) => [section, digestOf(unsigned[section])]),
  );

  const payload = signingPayload(unsigned);
  const value = await signer.sign(signingKeyId, payload);
  if (!verifyEd25519(signingKey, payload, value)) {
    throw tampered(
      `the public half of audit key ${signingKeyId} in the store does not match its private half`,
    );
  }
  const bundle: IncidentBundle = {
    ...unsigned,
    signature: { algorithm: 'Ed25519', keyId: signingKeyId, publicKey: signingKey, value },
  };
  checkReadBack(bundle, keys);
  return bundle;
}

/**
 * Reads the bundle back from the bytes that will be written and verifies it against Warden's own keys,
 * so a bundle that would not verify is never written.
 *
 * @throws WARDEN_INTERNAL naming the first problem.
 */
function checkReadBack(bundle: IncidentBundle, keys: readonly BundlePublicKey[]): void {
  let problem: string | null = null;
  try {
    const report = verifyIncidentBundle(
      parseIncidentBundle(Buffer.from(serializeIncidentBundle(bundle), 'utf8')),
      { trustedKeys: keys },
    );
    const failure = report.failures[0];
    if (failure !== undefined) problem = `${failure.subject}: ${failure.message}`;
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  if (problem !== null) {
    throw new WardenError(
      'WARDEN_INTERNAL',
      `the captured bundle does not verify when read back (${problem.slice(0, 500)}); no bundle was written. Report this as a Warden bug`,
    );
  }
}

/** Whether an entry concerns the agent: by it, about it, in one of its sessions or approvals. */
function concerns(
  entry: AuditEntryRecord,
  name: string,
  sessions: Set<string>,
  approvals: Set<string>,
): boolean {
  const agentRef = `agent:${name}`;
  if (entry.actor === agentRef || entry.subject === agentRef) return true;
  if (entry.session !== null && sessions.has(entry.session)) return true;
  if (entry.subject?.startsWith('approval:') === true && approvals.has(entry.subject.slice(9))) return true;
  const detail = entry.detail;
  if (detail.agent === name || detail.agentName === name) return true;
  if (Array.isArray(detail.agents) && detail.agents.includes(name)) return true;
  return false;
}

function toBundleEntry(entry: AuditEntryRecord): BundleEntry {
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    actor: entry.actor,
    session: entry.session,
    subject: entry.subject,
    decision: entry.decision,
    policyIds: [...entry.policyIds],
    detail: entry.detail,
    detailDigest: entry.detailDigest,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

/** The agent's section of the config without the resolved secret: the reference as written instead. */
function agentConfig(loaded: LoadedConfig, name: string): JsonObject | null {
  const configured = (loaded.config.agents as Record<string, Record<string, unknown> | undefined>)[name];
  if (configured === undefined) return null;
  const { secret: _secret, ...rest } = configured;
  void _secret;
  const reference = loaded.secretReferences.find(
    (candidate) =>
      candidate.path.length === 3 &&
      candidate.path[0] === 'agents' &&
      candidate.path[1] === name &&
      candidate.path[2] === 'secret',
  );
  return toJsonObject({
    ...rest,
    ...(reference === undefined ? {} : { secret: reference.text }),
    file: loaded.path,
  });
}

/** The policy version the gateway recorded last, and what the policy files on disk hold now. */
async function policyInForce(
  options: CaptureIncidentOptions,
  entries: readonly BundleEntry[],
): Promise<JsonObject> {
  const { store, loaded } = options;
  let recorded: JsonObject | null = null;
  const fromEntries = [...entries].reverse().find((entry) => typeof entry.detail.policyVersion === 'string');
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  const reloaded = (await store.audit.query({ types: ['policy-reloaded'], order: 'desc', limit: 1 }))[0];
  if (reloaded !== undefined && (fromEntries === undefined || reloaded.seq > fromEntries.seq)) {
    recorded = {
      version: text(reloaded.detail.version),
      seq: reloaded.seq,
      time: reloaded.time,
      type: reloaded.type,
    };
  } else if (fromEntries !== undefined) {
    recorded = {
      version: text(fromEntries.detail.policyVersion),
      seq: fromEntries.seq,
      time: fromEntries.time,
      type: fromEntries.type,
    };
  }
  const dir = resolve(loaded.baseDir, loaded.config.policy.dir);
  const files: JsonObject[] = [];
  try {
    const names = (await readdir(dir))
      .filter((file) => file.endsWith('.cedar') && !file.startsWith('.'))
      .sort();
    for (const file of names) {
      const bytes = await readFile(join(dir, file));
      files.push({
        name: file,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.byteLength,
      });
    }
  } catch (error) {
    files.push({ error: error instanceof Error ? error.message : String(error) });
  }
  let onDiskVersion: string | null = null;
  let loadError: string | null = null;
  try {
    const policy = await PolicyService.load({
      config: loaded.config,
      baseDir: loaded.baseDir,
      clock: options.clock,
    });
    onDiskVersion = policy.version;
    policy.close();
  } catch (error) {
    loadError = error instanceof Error ? error.message.slice(0, 2000) : String(error);
  }
  return {
    inForce: recorded,
    onDisk: { dir, version: onDiskVersion, files, ...(loadError === null ? {} : { error: loadError }) },
    onDiskMatchesInForce: recorded !== null && onDiskVersion !== null && recorded.version === onDiskVersion,
  };
}

function toPublicKey(text: string, kid: string): BundlePublicKey {
  const jwk = JSON.parse(text) as { kty?: unknown; crv?: unknown; x?: unknown };
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw tampered(`audit key ${kid} in the store is not an Ed25519 public key`);
  }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
}

function toJsonObject(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

function tampered(message: string): WardenError {
  return new WardenError(
    'WARDEN_AUDIT_TAMPERED',
    `${message}; no bundle was written. Run \`warden audit verify\` to find what was changed`,
  );
}
