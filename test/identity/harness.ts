/**
 * Test harness: the real identity services on a real store (a SQLite file in a temp dir, or a fresh
 * PostgreSQL schema) with the real audit log, a ManualClock and a random master key.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { AuditLog } from '../../src/audit/index.js';
import { ManualClock } from '../../src/core/index.js';
import {
  AgentService,
  KeyManager,
  MasterKey,
  TokenService,
  checkMasterKey,
} from '../../src/identity/index.js';
import type { AuditEntryRecord, Store } from '../../src/store/index.js';
import { POSTGRES_TEST_URL, postgresLocation, sqliteLocation } from '../store/helpers.js';
import type { RawSql } from '../store/helpers.js';

export const ISSUER = 'https://warden.test';
export const AUDIENCE = 'https://warden.test';
export const LIFETIME_SECONDS = 600;
export const TOLERANCE_SECONDS = 30;
export const ROLES = ['support', 'finance', 'research'];
export const DATA_CLASSES = ['public', 'internal', 'confidential', 'restricted'];
export const ACTOR = 'cli:tester';

export type StoreKind = 'sqlite' | 'postgres';

/** The store kinds to run against: SQLite always, PostgreSQL when WARDEN_TEST_POSTGRES_URL is set. */
export const STORE_KINDS: StoreKind[] = POSTGRES_TEST_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

export interface Harness {
  kind: StoreKind;
  store: Store;
  /** Direct database access for tamper tests. */
  raw: RawSql;
  /** The SQLite database file (null on PostgreSQL). */
  path: string | null;
  clock: ManualClock;
  masterKey: MasterKey;
  audit: AuditLog;
  keys: KeyManager;
  agents: AgentService;
  tokens: TokenService;
  /** Every audit entry so far, oldest first. */
  entries(): Promise<AuditEntryRecord[]>;
  /** A second set of services on the same store, as another replica or a restart would have. */
  replica(options?: { masterKey?: MasterKey }): Services;
}

export interface Services {
  audit: AuditLog;
  keys: KeyManager;
  agents: AgentService;
  tokens: TokenService;
}

/** Opens a fresh store of `kind`, wires the services and creates the signing keys; cleaned up after the test. */
export async function openHarness(
  t: TestContext,
  kind: StoreKind = 'sqlite',
  options: { ensureKeys?: boolean; lockTimeout?: number } = {},
): Promise<Harness> {
  const location = kind === 'sqlite' ? await sqliteLocation() : await postgresLocation();
  let store: Store;
  try {
    store = await location.open(
      options.lockTimeout === undefined ? {} : { lockTimeout: options.lockTimeout },
    );
  } catch (error) {
    await location.cleanup();
    throw error;
  }
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const masterKey = new MasterKey(randomBytes(32));
  const opened: Services[] = [];
  t.after(async () => {
    for (const services of opened) await services.audit.close().catch(() => undefined);
    await location.cleanup();
  });
  await checkMasterKey(store.meta, masterKey);
  const wire = (key: MasterKey): Services => {
    const services = wireServices(store, clock, key);
    opened.push(services);
    return services;
  };
  const services = wire(masterKey);
  if (options.ensureKeys !== false) await services.keys.ensureKeys('system');
  return {
    kind,
    store: store,
    raw: location.raw,
    path: 'path' in location ? location.path : null,
    clock,
    masterKey,
    ...services,
    entries: () => store.audit.query({ order: 'asc' }),
    replica: (replicaOptions = {}) => wire(replicaOptions.masterKey ?? masterKey),
  };
}

function wireServices(store: Store, clock: ManualClock, masterKey: MasterKey): Services {
  // The audit log signs checkpoints lazily through the key manager, which itself records to the log.
  const holder: { keys?: KeyManager } = {};
  const audit = new AuditLog({
    store: store.audit,
    clock,
    digestKey: masterKey.deriveKey('audit-digest'),
    signer: {
      keyId: () => holder.keys!.checkpointSigner().keyId(),
      sign: (keyId, payload) => holder.keys!.checkpointSigner().sign(keyId, payload),
    },
    checkpointEvery: 1000,
    checkpointIntervalSeconds: 60,
  });
  const keys = new KeyManager({
    store: store.keys,
    masterKey,
    clock,
    audit,
    tokenLifetimeSeconds: LIFETIME_SECONDS,
    clockToleranceSeconds: TOLERANCE_SECONDS,
  });
  holder.keys = keys;
  const agents = new AgentService({
    store: store.agents,
    audit,
    clock,
    dataClasses: DATA_CLASSES,
    roles: ROLES,
  });
  const tokens = new TokenService({
    agents: store.agents,
    keys,
    audit,
    clock,
    issuer: ISSUER,
    audience: AUDIENCE,
    lifetimeSeconds: LIFETIME_SECONDS,
    clockToleranceSeconds: TOLERANCE_SECONDS,
  });
  return { audit, keys, agents, tokens };
}

/** Creates an agent with the support role and internal clearance; returns its record and secret. */
export async function createAgent(
  services: Pick<Services, 'agents'>,
  name = 'support-bot',
): Promise<{ name: string; secret: string; id: string }> {
  const { agent, secret } = await services.agents.create({
    name,
    owner: 'lan.nguyen@example.com',
    roles: ['support'],
    clearance: 'internal',
    actor: ACTOR,
  });
  return { name: agent.name, secret, id: agent.id };
}

/** Asserts `promise` rejects with a WardenError of `code` whose message matches `message`. */
export function rejectsWith(code: string, message?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    const actual = error as { code?: string; message?: string };
    if (actual.code !== code) {
      throw new Error(`expected ${code}, got ${String(actual.code)}: ${String(actual.message)}`, {
        cause: error,
      });
    }
    if (message !== undefined && !message.test(actual.message ?? '')) {
      throw new Error(
        `expected the message of ${code} to match ${String(message)}, got: ${String(actual.message)}`,
      );
    }
    return true;
  };
}

/** Every string in `value`, depth first (to look for secrets in audit details). */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allStrings(inner)]);
  }
  return [];
}
