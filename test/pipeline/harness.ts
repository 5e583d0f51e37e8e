/**
 * A gateway workspace for tests: a temp dir with warden.yaml declaring the demo upstreams
 * (examples/servers, over stdio), the example policies, a SQLite store and test agents.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import type { LoadedConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import type { CallSession, CallerIdentity } from '../../src/pipeline/index.js';
import { openWarden } from '../../src/server/index.js';
import type { Gateway, Warden } from '../../src/server/index.js';
import type { AuditEntryRecord } from '../../src/store/index.js';
import type { CallToolResult } from '../../src/upstream/index.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const SERVERS = join(REPO_ROOT, 'examples', 'servers');

export interface GatewayWorkspace {
  dir: string;
  configPath: string;
  cleanup(): Promise<void>;
}

export interface GatewayWorkspaceOptions {
  /** YAML lines for the server section (indented by two); 127.0.0.1, port 0 by default. */
  serverYaml?: string;
  /** Extra YAML appended under `agents:` (indented by two). */
  extraAgentsYaml?: string;
  /** Extra YAML appended under `servers:` (indented by two). */
  extraServersYaml?: string;
  /** Replaces the demo servers: YAML under `servers:` (indented by two); `{dir}` is the workspace dir. */
  serversYaml?: string;
  /** Extra policy files: name → Cedar text. */
  extraPolicies?: Record<string, string>;
  /** Leave out the example policies. */
  noExamplePolicies?: boolean;
  /** Log level in the config (silent by default). */
  logLevel?: string;
  /** Extra top-level YAML (approvals, admins, inspection, notifications...). */
  extraYaml?: string;
}

/** Writes warden.yaml, the example policies and a files root into a fresh temp dir. */
export async function makeGatewayWorkspace(options: GatewayWorkspaceOptions = {}): Promise<GatewayWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-gateway-'));
  const policies = join(dir, 'policies');
  await mkdir(policies);
  if (options.noExamplePolicies !== true) {
    await cp(join(REPO_ROOT, 'examples', 'policies'), policies, { recursive: true });
  }
  for (const [name, text] of Object.entries(options.extraPolicies ?? {})) {
    await writeFile(join(policies, name), text);
  }
  await mkdir(join(dir, 'files'));
  await writeFile(join(dir, 'files', 'welcome.txt'), 'Xin chào! Welcome to the shared folder.\n');
  const node = JSON.stringify(process.execPath);
  const configPath = join(dir, 'warden.yaml');
  await writeFile(
    configPath,
    `version: 1
server:
${options.serverYaml ?? '  host: 127.0.0.1\n  port: 0\n  publicUrl: http://127.0.0.1:8787'}
logging:
  level: ${options.logLevel ?? 'silent'}
store:
  driver: sqlite
  sqlite:
    path: ${join(dir, 'warden.db')}
    synchronous: normal
secrets:
  masterKeyFile: ${join(dir, 'master.key')}
policy:
  dir: policies
  timezone: Asia/Ho_Chi_Minh
audit:
  checkpointEvery: 1000
  checkpointInterval: 60
roles:
  support: {}
  finance: {}
  research: {}
  admin: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: confidential
  finance-bot:
    owner: priya.raman@example.com
    roles: [finance]
    clearance: restricted
  research-bot:
    owner: tomas.berg@example.com
    roles: [research]
    clearance: internal
  shadow-bot:
    owner: tomas.berg@example.com
    roles: [research]
    clearance: internal
    mode: shadow
  limited-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: confidential
    rateLimits:
${options.serversYaml === undefined ? '      crm__read_customer: { requests: 2, per: 60 }\n' : ''}      "*": { requests: 4, per: 60 }
${options.extraAgentsYaml ?? ''}
servers:
${
  options.serversYaml?.replaceAll('{dir}', dir) ??
  `  crm:
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(join(SERVERS, 'crm.js'))}]
    timeout: 20s
    tools:
      read_customer: { risk: read, classification: confidential, arguments: { id: string } }
      search_customers: { risk: read, classification: confidential, arguments: { query: string } }
      update_customer: { risk: write, classification: confidential, arguments: { id: string } }
      export_customers: { risk: read, classification: restricted }
  mail:
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(join(SERVERS, 'mail.js'))}]
    tools:
      read_inbox: { risk: read, classification: internal, untrustedOutput: true }
      send_email: { risk: external_communication, arguments: { to: string } }
  payments:
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(join(SERVERS, 'payments.js'))}]
    tools:
      get_balance: { risk: read, classification: restricted, arguments: { account: string } }
      transfer:
        risk: financial
        classification: restricted
        arguments: { amount: long, from_account: string, to_account: string }
  files:
    transport: stdio
    command: ${node}
    args: [${JSON.stringify(join(SERVERS, 'files.js'))}, --root, ${JSON.stringify(join(dir, 'files'))}]
    tools:
      read_file: { risk: read, classification: internal, arguments: { path: string } }
      write_file: { risk: write, classification: internal, arguments: { path: string } }
      delete_file: { risk: delete, classification: internal, arguments: { path: string } }`
}
${options.extraServersYaml ?? ''}
${options.extraYaml ?? ''}
`,
  );
  return { dir, configPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface GatewayHarness {
  workspace: GatewayWorkspace;
  loaded: LoadedConfig;
  warden: Warden;
  gateway: Gateway;
  clock: ManualClock;
  /** The caller identity of a config agent, as a front would build it (all its roles). */
  caller(agent: string): Promise<CallerIdentity>;
  /** A fresh call session. */
  session(id?: string): CallSession;
  /** Calls a tool on its upstream directly (no checks), e.g. to read the demo state. */
  upstream(tool: string, args: JsonObject): Promise<CallToolResult>;
  /** Audit entries of the given types, oldest first. */
  audit(types?: string[]): Promise<AuditEntryRecord[]>;
  close(): Promise<void>;
}

/** Opens Warden with the gateway over a gateway workspace and starts the upstreams. */
export async function openGatewayHarness(options: GatewayWorkspaceOptions = {}): Promise<GatewayHarness> {
  const workspace = await makeGatewayWorkspace(options);
  const loaded = await loadConfig({ path: workspace.configPath, env: {} });
  // 10:00 on a Wednesday in Ho Chi Minh City.
  const clock = new ManualClock('2026-01-07T03:00:00Z');
  const warden = await openWarden(loaded, { actor: 'test', sync: true, gateway: true, clock });
  const gateway = warden.gateway!;
  await gateway.catalog.start();
  let sessions = 0;
  return {
    workspace,
    loaded,
    warden,
    gateway,
    clock,
    async caller(agent) {
      const record = await warden.store.agents.getByName(agent);
      if (record === null) throw new Error(`no agent ${agent}`);
      return { agent: record, roles: record.roles, credential: 'test' };
    },
    session(id) {
      sessions += 1;
      return { id: id ?? `test-session-${sessions}`, callCount: 0, toolCallCounts: new Map() };
    },
    upstream: (tool, args) => gateway.catalog.callTool(tool, args),
    audit: (types) => warden.store.audit.query(types === undefined ? {} : { types }),
    async close() {
      try {
        await warden.close();
      } finally {
        await workspace.cleanup();
      }
    },
  };
}

/** The text of a tool result's content, joined. */
export function textOf(result: unknown): string {
  const raw = (result as { content?: unknown } | null)?.content;
  const content = Array.isArray(raw) ? (raw as Array<{ type: string; text?: string }>) : [];
  return content
    .filter((item) => item.type === 'text')
    .map((item) => item.text ?? '')
    .join('\n');
}

/** The balance of a demo payments account, read from the upstream directly. */
export async function balanceOf(harness: GatewayHarness, account: string): Promise<number> {
  const result = await harness.upstream('payments__get_balance', { account });
  return (JSON.parse(textOf(result)) as { balance: number }).balance;
}
