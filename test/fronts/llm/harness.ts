/** Test harness: a Warden gateway with an `llm` section pointing at stub providers, and SDK clients. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startGatewayServer } from '../mcp/helpers.js';
import type { GatewayServer } from '../mcp/helpers.js';
import { startStubProvider } from '../../llm/stub-provider.js';
import type { StubProvider } from '../../llm/stub-provider.js';

export interface LlmHarness {
  gateway: GatewayServer;
  /** The external provider (OpenAI-compatible and Anthropic routes). */
  external: StubProvider;
  /** The on-premises provider (`local: true`). */
  onprem: StubProvider;
  openai(agent: string): Promise<OpenAI>;
  anthropic(agent: string): Promise<Anthropic>;
  /** Audit entries of the given type, oldest first. */
  audit(type: string): Promise<{ type: string; detail: Record<string, unknown>; raw: string }[]>;
  close(): Promise<void>;
}

export const MODEL_POLICIES = `
@id("support-uses-models")
permit (principal in Role::"support", action in Action::"models", resource);

@id("research-uses-gpt")
permit (principal in Role::"research", action == Action::"model:gpt", resource);

@id("no-restricted-to-claude")
@reason("restricted data never goes to claude")
forbid (principal, action == Action::"model:claude-strict", resource)
when { context.findings.classes.contains("restricted") };
`;

/** Starts two stub providers and a gateway whose llm section points at them. */
export async function startLlmHarness(
  options: { llmExtra?: string; chunkSize?: number; externalApiKey?: string } = {},
): Promise<LlmHarness> {
  const external = await startStubProvider({ chunkSize: options.chunkSize ?? 3 });
  const onprem = await startStubProvider({ chunkSize: options.chunkSize ?? 3 });
  const keyDir = await mkdtemp(join(tmpdir(), 'warden-llm-key-'));
  const keyFile = join(keyDir, 'anthropic.key');
  await writeFile(keyFile, 'sk-ant-stub-provider-key\n');
  const externalKeyFile = join(keyDir, 'external.key');
  if (options.externalApiKey !== undefined) await writeFile(externalKeyFile, `${options.externalApiKey}\n`);
  const llmYaml = `
llm:
  canary: true
  rerouteTo: local
  providers:
    external:
      type: openai-compatible
      baseUrl: ${external.url}/v1
      dataClasses: { restricted: reroute }${options.externalApiKey === undefined ? '' : `\n      apiKey: \${file:${externalKeyFile}}`}
    claude:
      type: anthropic
      baseUrl: ${external.url}
      apiKey: \${file:${keyFile}}
      dataClasses: { restricted: block }
    onprem:
      type: openai-compatible
      baseUrl: ${onprem.url}/v1
      local: true
    down:
      type: openai-compatible
      baseUrl: http://127.0.0.1:1/v1
      timeout: 10s
  models:
    gpt: { provider: external, model: gpt-4o-mini, price: { input: 0.15, output: 0.6 } }
    claude: { provider: claude, model: claude-sonnet-4, description: Claude on the stub }
    claude-strict: { provider: claude, model: claude-sonnet-4 }
    local: { provider: onprem, model: llama3 }
    broken: { provider: down, model: x }
  agents:
    research-bot: { injection: block }
    support-bot: { injection: strip }
    limited-bot: { tokenBudget: { tokens: 10, per: 1h } }
${options.llmExtra ?? ''}`;
  let gateway: GatewayServer;
  try {
    gateway = await startGatewayServer({
      serversYaml: '  {}',
      noExamplePolicies: true,
      extraPolicies: { 'models.cedar': MODEL_POLICIES },
      extraYaml: llmYaml,
    });
  } catch (error) {
    await Promise.all([external.close(), onprem.close(), rm(keyDir, { recursive: true, force: true })]);
    throw error;
  }
  return {
    gateway,
    external,
    onprem,
    async openai(agent) {
      return new OpenAI({ apiKey: await gateway.token(agent), baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    },
    async anthropic(agent) {
      return new Anthropic({ apiKey: await gateway.token(agent), baseURL: gateway.url, maxRetries: 0 });
    },
    async audit(type) {
      const entries = await gateway.server.warden.store.audit.query({ types: [type] });
      return entries.map((entry) => ({ type: entry.type, detail: entry.detail, raw: JSON.stringify(entry) }));
    },
    async close() {
      try {
        await gateway.close();
      } finally {
        await Promise.all([external.close(), onprem.close(), rm(keyDir, { recursive: true, force: true })]);
      }
    },
  };
}
