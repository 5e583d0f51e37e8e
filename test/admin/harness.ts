/**
 * Test harness for the deciders' side: a real workspace (config with admin users), a real Warden on a
 * SQLite store, and the real ApprovalService over it, with a frozen clock.
 */
import { generateAdminApiKey, hashAdminCredential } from '../../src/admin/index.js';
import { ApprovalService } from '../../src/approvals/index.js';
import type { ApprovalRequirement } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { LoadedConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { loadMasterKey } from '../../src/identity/index.js';
import { openWarden } from '../../src/server/index.js';
import type { Warden } from '../../src/server/index.js';
import type { ApprovalRecord, AuditEntryRecord } from '../../src/store/index.js';
import { makeWorkspace } from '../e2e/helpers.js';
import type { TempWorkspace } from '../e2e/helpers.js';

export const PASSWORDS = {
  bob: 'bob-correct-horse',
  minh: 'minh-battery-staple',
  erin: 'erin-console-admin',
  frank: 'frank-console-auditor',
} as const;

export interface ApprovalHarness {
  workspace: TempWorkspace;
  loaded: LoadedConfig;
  warden: Warden;
  approvals: ApprovalService;
  clock: ManualClock;
  /** API keys of alice (admin) and carol (auditor). */
  keys: { alice: string; carol: string; dana: string };
  /** A new pending request of `agent` for `tool`. */
  request(options?: {
    agent?: string;
    tool?: string;
    arguments?: JsonObject;
    requirement?: Partial<ApprovalRequirement>;
  }): Promise<ApprovalRecord>;
  /** Audit entries about one request, oldest first. */
  entries(id: string): Promise<AuditEntryRecord[]>;
  close(): Promise<void>;
}

/**
 * Admin users: alice (admin, API key), bob (approver in finance, password), carol (auditor, API
 * key), minh (approver in finance who owns finance-bot, password), dana (approver in support, API key),
 * erin (admin, password) and frank (auditor, password) for the console's cookie sign-in.
 */
export async function openApprovalHarness(): Promise<ApprovalHarness> {
  const keys = { alice: generateAdminApiKey(), carol: generateAdminApiKey(), dana: generateAdminApiKey() };
  const yaml = [
    'approvals:',
    '  revealRoles: [admin]',
    'admins:',
    '  alice:',
    '    email: alice@example.com',
    '    roles: [admin]',
    `    apiKeyHash: '${await hashAdminCredential(keys.alice)}'`,
    '  bob:',
    '    email: bob@example.com',
    '    roles: [approver]',
    '    groups: [finance]',
    `    passwordHash: '${await hashAdminCredential(PASSWORDS.bob)}'`,
    '  carol:',
    '    email: carol@example.com',
    '    roles: [auditor]',
    `    apiKeyHash: '${await hashAdminCredential(keys.carol)}'`,
    '  minh:',
    '    email: Minh.Tran@example.com',
    '    roles: [approver]',
    '    groups: [finance]',
    `    passwordHash: '${await hashAdminCredential(PASSWORDS.minh)}'`,
    '  dana:',
    '    email: dana@example.com',
    '    roles: [approver]',
    '    groups: [support]',
    `    apiKeyHash: '${await hashAdminCredential(keys.dana)}'`,
    '  erin:',
    '    email: erin@example.com',
    '    roles: [admin]',
    `    passwordHash: '${await hashAdminCredential(PASSWORDS.erin)}'`,
    '  frank:',
    '    email: frank@example.com',
    '    roles: [auditor]',
    `    passwordHash: '${await hashAdminCredential(PASSWORDS.frank)}'`,
    '',
  ].join('\n');
  const workspace = await makeWorkspace({ extraYaml: yaml, logLevel: 'silent' });
  try {
    const loaded = await loadConfig({ path: workspace.configPath, env: {} });
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const warden = await openWarden(loaded, { actor: 'cli:test', sync: true, env: {}, clock });
    const masterKey = await loadMasterKey({
      env: {},
      keyFile: loaded.config.secrets.masterKeyFile,
      baseDir: loaded.baseDir,
      createIfMissing: false,
    });
    const approvals = new ApprovalService({
      store: warden.store.approvals,
      audit: warden.audit,
      keys: masterKey,
      config: loaded.config,
      clock,
    });
    return {
      workspace,
      loaded,
      warden,
      approvals,
      clock,
      keys,
      async request(options = {}) {
        const agent = await warden.agents.get(options.agent ?? 'finance-bot');
        const { approval } = await approvals.request({
          agent,
          tool: options.tool ?? 'bank__transfer',
          risk: 'financial',
          arguments: options.arguments ?? {
            iban: 'VN12 3456 7890',
            amount: 25_000,
            note: `${Math.random()}`,
          },
          requirement: {
            reason: 'transfers over 10,000 EUR need a second pair of eyes',
            policyIds: ['large-transfers'],
            required: 1,
            expirySeconds: null,
            interactive: false,
            groups: ['finance'],
            ...options.requirement,
          },
          sessionId: null,
          recentCalls: [],
          labels: ['financial'],
        });
        return approval;
      },
      entries: (id) => warden.store.audit.query({ subject: `approval:${id}` }),
      async close() {
        try {
          await approvals.close();
          await warden.close();
        } finally {
          await workspace.cleanup();
        }
      },
    };
  } catch (error) {
    await workspace.cleanup();
    throw error;
  }
}
