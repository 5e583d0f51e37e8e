/** Test helpers: a config and policy files in a temp dir, a loaded PolicyService, requests. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import type { LoadedConfig } from '../../src/config/index.js';
import { ManualClock, WardenError } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { PolicyService } from '../../src/policy/index.js';
import type { AuthorizationRequest } from '../../src/policy/index.js';

/** A configuration with three servers, typed arguments, and agents of different roles and clearances. */
export const BASE_CONFIG = `version: 1
policy:
  timezone: Asia/Ho_Chi_Minh
roles:
  support: {}
  finance: {}
  admin: {}
agents:
  support-bot: { owner: lan@example.com, roles: [support], clearance: confidential }
  finance-bot: { owner: priya@example.com, roles: [finance], clearance: restricted }
  intern-bot: { owner: tomas@example.com, roles: [support], clearance: public }
servers:
  crm:
    transport: stdio
    command: node
    tools:
      read_customer: { risk: read, classification: confidential, arguments: { id: string } }
      export_customers: { risk: read, classification: restricted }
      delete_customer: { risk: delete, classification: confidential }
  payments:
    transport: stdio
    command: node
    tools:
      transfer:
        risk: financial
        classification: restricted
        arguments: { amount: long, to_account: string, note: string, rate: decimal, urgent: boolean, tags: string-set }
  mail:
    transport: stdio
    command: node
    tools:
      send_email: { risk: external_communication, untrustedOutput: true, arguments: { to: string } }
`;

export interface PolicyWorkspace {
  dir: string;
  loaded: LoadedConfig;
  clock: ManualClock;
  /** Writes (or with null removes) a file under policies/. */
  writePolicy: (name: string, text: string | null) => Promise<void>;
  /** Loads a PolicyService for the workspace, closed when the test ends. */
  load: () => Promise<PolicyService>;
}

/** A temp dir with warden.yaml and policies/<name> for each entry of `policies`. */
export async function policyWorkspace(
  t: TestContext,
  policies: Record<string, string>,
  config: string = BASE_CONFIG,
): Promise<PolicyWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-policy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'warden.yaml'), config);
  await mkdir(join(dir, 'policies'));
  for (const [name, text] of Object.entries(policies)) await writeFile(join(dir, 'policies', name), text);
  const loaded = await loadConfig({ path: join(dir, 'warden.yaml'), env: {} });
  // 2026-01-06 is a Tuesday; 03:00 UTC is 10:00 in Asia/Ho_Chi_Minh.
  const clock = new ManualClock('2026-01-06T03:00:00Z');
  return {
    dir,
    loaded,
    clock,
    writePolicy: async (name, text) => {
      const path = join(dir, 'policies', name);
      if (text === null) await rm(path, { force: true });
      else await writeFile(path, text);
    },
    load: async () => {
      const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir, clock });
      t.after(() => service.close());
      return service;
    },
  };
}

/** Loads policies that must be refused; returns the WardenError. */
export async function loadError(t: TestContext, policies: Record<string, string>): Promise<WardenError> {
  const workspace = await policyWorkspace(t, policies);
  try {
    await workspace.load();
  } catch (error) {
    if (error instanceof WardenError) return error;
    throw error;
  }
  throw new Error('expected the policies to be refused, but they loaded');
}

/** A request for a configured agent calling an exposed tool. */
export function requestFor(
  loaded: LoadedConfig,
  agentName: string,
  toolName: string,
  args: JsonObject = {},
  extra: Partial<Pick<AuthorizationRequest, 'time' | 'clientIp' | 'session'>> = {},
): AuthorizationRequest {
  const agent = loaded.config.agents[agentName];
  if (agent === undefined) throw new Error(`no agent ${agentName} in the test config`);
  const [server = '', tool = ''] = toolName.split('__');
  const spec = loaded.config.servers[server]?.tools[tool];
  return {
    agent: {
      id: `agt_${agentName}`,
      name: agentName,
      roles: agent.roles,
      clearance: agent.clearance,
      owner: agent.owner,
    },
    tool: {
      name: toolName,
      server,
      tool,
      risk: spec?.risk ?? 'read',
      classification: spec?.classification ?? null,
      untrustedOutput: spec?.untrustedOutput ?? false,
    },
    arguments: args,
    time: extra.time ?? Date.parse('2026-01-06T03:00:00Z'),
    clientIp: extra.clientIp ?? null,
    session: extra.session ?? { id: 's1', callCount: 0, toolCallCount: 0 },
  };
}
