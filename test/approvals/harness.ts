/**
 * Test harness for approvals: the real ApprovalService on a real store (a SQLite file in a temp dir,
 * or a fresh PostgreSQL schema), the real audit log, a config loaded from YAML (so the defaults of
 * the approvals section apply), a ManualClock and a random master key. `replica()` wires a second
 * service on a second connection to the same database, as another process or replica would have.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { ApprovalService } from '../../src/approvals/index.js';
import type {
  ApprovalNotice,
  ApprovalNotifier,
  ApprovalRequirement,
  Decider,
  NewApprovalRequest,
} from '../../src/approvals/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ResolvedConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { MasterKey } from '../../src/identity/index.js';
import type { AgentRecord, AuditEntryRecord, Store } from '../../src/store/index.js';
import { makeTestSigner } from '../audit/keys.js';
import { writeConfig } from '../config/temp-config.js';
import { postgresLocation, sqliteLocation } from '../store/helpers.js';
import type { StoreLocation } from '../store/helpers.js';

/** A password hash in the shape the config accepts; nobody signs in with it in these tests. */
const HASH = 'scrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

/**
 * The admin users: minh and an approve for finance, sara for security, lan owns the agent, root is
 * an admin, olga only audits.
 */
export const ADMINS_YAML = `admins:
  minh:
    email: minh.tran@example.com
    roles: [approver]
    groups: [finance]
    passwordHash: ${HASH}
  an:
    email: an.le@example.com
    roles: [approver]
    groups: [finance]
    passwordHash: ${HASH}
  thu:
    email: thu.pham@example.com
    roles: [approver]
    groups: [finance]
    passwordHash: ${HASH}
  sara:
    email: sara.kim@example.com
    roles: [approver]
    groups: [security]
    passwordHash: ${HASH}
  lan:
    email: Lan.Nguyen@Example.com
    roles: [approver]
    groups: [finance]
    passwordHash: ${HASH}
  root:
    email: root@example.com
    roles: [admin]
    passwordHash: ${HASH}
  olga:
    email: olga@example.com
    roles: [auditor]
    passwordHash: ${HASH}
`;

/** Loads a config from YAML: the finance agent, the admins above, and `approvalsYaml` (lines under `approvals:`). */
export async function approvalsConfig(t: TestContext, approvalsYaml = ''): Promise<ResolvedConfig> {
  const text = `version: 1
roles:
  finance: {}
agents:
  finance-bot:
    owner: lan.nguyen@example.com
    roles: [finance]
    clearance: internal
${ADMINS_YAML}approvals:
  recentCalls: 3
${approvalsYaml}`;
  const path = await writeConfig(t, text);
  return (await loadConfig({ path, env: {} })).config;
}

/** The Decider for an admin user of the config, as the admin API builds it. */
export function deciderFor(config: ResolvedConfig, name: string): Decider {
  const admin = config.admins[name];
  if (admin === undefined) throw new Error(`no admin ${name} in the test config`);
  return { actor: `admin:${name}`, email: admin.email, roles: admin.roles, groups: admin.groups };
}

export const AGENT: AgentRecord = {
  id: 'agt_finance',
  name: 'finance-bot',
  owner: 'lan.nguyen@example.com',
  roles: ['finance'],
  clearance: 'internal',
  description: null,
  status: 'active',
  suspendedReason: null,
  suspendedBy: null,
  suspendedAt: null,
  secretHash: null,
  secretVersion: 1,
  secretRotatedAt: null,
  source: 'config',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
};

/** A recognisable fake card number and API key: neither may appear in an audit detail or a view. */
export const CARD_NUMBER = '4111 1111 1111 1111';
export const API_KEY = 'sk_live_51HfakeFAKEfake0123456789';

export const TRANSFER_ARGUMENTS: JsonObject = {
  to: 'ACME Ltd',
  amount: 1200,
  currency: 'VND',
  cardNumber: CARD_NUMBER,
  apiKey: API_KEY,
};

export function requirement(overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement {
  return {
    reason: 'payments-need-approval: transfers need a person',
    policyIds: ['payments-need-approval'],
    required: 1,
    expirySeconds: null,
    interactive: false,
    groups: [],
    ...overrides,
  };
}

export function newRequest(overrides: Partial<NewApprovalRequest> = {}): NewApprovalRequest {
  return {
    agent: AGENT,
    tool: 'bank__transfer',
    risk: 'financial',
    arguments: TRANSFER_ARGUMENTS,
    requirement: requirement(),
    sessionId: 'ses_test',
    recentCalls: [
      { tool: 'bank__balance', decision: 'allow', at: '2026-03-01T09:59:00.000Z' },
      { tool: 'crm__lookup', decision: 'allow', at: '2026-03-01T09:59:30.000Z' },
    ],
    labels: ['financial'],
    ...overrides,
  };
}

/** Masks card numbers the way content inspection does (stands in for it here). */
export function maskCards(args: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(args).replace(/\b(?:\d[ -]?){13,19}\b/g, '[PAYMENT_CARD]')) as JsonObject;
}

/** A notifier that keeps every notice. */
export function recordingNotifier(): ApprovalNotifier & { notices: ApprovalNotice[] } {
  const notices: ApprovalNotice[] = [];
  return { notices, notify: (notice) => notices.push(notice), flush: () => Promise.resolve() };
}

export interface Services {
  store: Store;
  audit: AuditLog;
  approvals: ApprovalService;
  notifier: ReturnType<typeof recordingNotifier>;
}

export interface ApprovalsHarness extends Services {
  location: StoreLocation;
  clock: ManualClock;
  config: ResolvedConfig;
  masterKey: MasterKey;
  /** Every audit entry so far, oldest first. */
  entries(): Promise<AuditEntryRecord[]>;
  /** Services on another connection to the same database (another process or replica). */
  replica(): Promise<Services>;
  /** Closes `services` (as a stopped process would be), leaving the database. */
  stop(services: Services): Promise<void>;
}

export interface HarnessOptions {
  kind?: 'sqlite' | 'postgres';
  /** Lines under `approvals:` in the config (indented by two). */
  approvalsYaml?: string;
  maskArguments?: boolean;
}

/** Opens a fresh store and wires the services; everything is closed and removed after the test. */
export async function openApprovals(t: TestContext, options: HarnessOptions = {}): Promise<ApprovalsHarness> {
  const config = await approvalsConfig(t, options.approvalsYaml);
  const location = options.kind === 'postgres' ? await postgresLocation() : await sqliteLocation();
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const masterKey = new MasterKey(randomBytes(32));
  const signer = makeTestSigner();
  const opened: Services[] = [];
  t.after(async () => {
    for (const services of opened.splice(0)) {
      await services.approvals.close();
      await services.audit.close().catch(() => undefined);
    }
    await location.cleanup();
  });
  const wire = async (): Promise<Services> => {
    const store = await location.open();
    const audit = new AuditLog({
      store: store.audit,
      clock,
      digestKey: masterKey.deriveKey('audit-digest'),
      signer: signer.signer,
      verifier: signer.verifier,
      checkpointEvery: 1000,
      checkpointIntervalSeconds: 60,
    });
    const notifier = recordingNotifier();
    const approvals = new ApprovalService({
      store: store.approvals,
      audit,
      keys: masterKey,
      config,
      clock,
      notifier,
      ...(options.maskArguments === true ? { maskArguments: maskCards } : {}),
    });
    const services = { store, audit, approvals, notifier };
    opened.push(services);
    return services;
  };
  let first: Services;
  try {
    first = await wire();
  } catch (error) {
    await location.cleanup();
    throw error;
  }
  return {
    ...first,
    location,
    clock,
    config,
    masterKey,
    entries: () => first.store.audit.query({ order: 'asc' }),
    replica: wire,
    stop: async (services) => {
      const index = opened.indexOf(services);
      if (index >= 0) opened.splice(index, 1);
      await services.approvals.close();
      await services.audit.close();
      await services.store.close();
    },
  };
}

/** Every string in `value` (keys too), depth first. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allStrings(inner)]);
  }
  return [];
}

/** Asserts `error` is a WardenError with `code` whose message matches `message`; for assert.rejects. */
export function isError(code: string, message?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    const actual = error as { code?: string; message?: string };
    if (actual.code !== code) {
      throw new Error(`expected ${code}, got ${String(actual.code)}: ${String(actual.message)}`, {
        cause: error,
      });
    }
    if (message !== undefined && !message.test(actual.message ?? '')) {
      throw new Error(`expected the message of ${code} to match ${String(message)}, got: ${actual.message}`);
    }
    return true;
  };
}
