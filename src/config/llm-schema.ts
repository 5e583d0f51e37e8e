/**
 * The `llm` section of warden.yaml: model providers (whose API keys must be secret references),
 * model aliases agents may ask for, what each provider may see per data class, the prompt
 * firewall and per-agent token budgets and rate limits. Strict like the rest of the file.
 */
import { z } from 'zod';
import { duration, name, secretReference } from './primitives.js';

/** The kinds of provider Warden speaks to. OpenAI, Azure OpenAI and OpenAI-compatible share a wire format. */
export const PROVIDER_TYPES = ['openai', 'azure-openai', 'openai-compatible', 'anthropic'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/**
 * What happens to a finding of a data class in a request to a provider: sent as it is, replaced by a
 * reversible token, the request refused, or the request sent to `llm.rerouteTo` instead.
 */
export const MODEL_DATA_ACTIONS = ['allow', 'tokenize', 'block', 'reroute'] as const;
export type ModelDataAction = (typeof MODEL_DATA_ACTIONS)[number];

/** What the prompt firewall does with a user or tool message that looks like a prompt injection. */
export const PROMPT_FIREWALL_ACTIONS = ['log', 'block', 'strip'] as const;
export type PromptFirewallAction = (typeof PROMPT_FIREWALL_ACTIONS)[number];

const providerSchema = z
  .object({
    type: z.enum(PROVIDER_TYPES),
    /** API base URL. Defaults: https://api.openai.com/v1, https://api.anthropic.com. Required for azure-openai and openai-compatible. */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The provider's API key: a reference; it never leaves Warden except to this provider. */
    apiKey: secretReference.optional(),
    /** Azure OpenAI `api-version` query parameter. */
    apiVersion: z
      .string()
      .regex(/^[0-9A-Za-z.-]{1,40}$/)
      .default('2024-10-21'),
    /** Anthropic `anthropic-version` header. */
    anthropicVersion: z
      .string()
      .regex(/^[0-9A-Za-z.-]{1,40}$/)
      .default('2023-06-01'),
    /** The provider runs on premises (a local vLLM or Ollama): data classes not listed are allowed, not tokenized. */
    local: z.boolean().default(false),
    /** Per data class: allow, tokenize, block or reroute. Unlisted classes: tokenize (external) or allow (local). */
    dataClasses: z.record(name, z.enum(MODEL_DATA_ACTIONS)).default({}),
    /** A request (or a stream) still unanswered after this is refused with WARDEN_PROVIDER_TIMEOUT. */
    timeout: duration.default(120).pipe(z.number().min(1).max(3600, 'at most 1 hour')),
    /** Largest non-streamed response read from the provider, bytes. */
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(8 * 1024 * 1024),
  })
  .strict();

const modelSchema = z
  .object({
    provider: name,
    /** The provider's model id (for azure-openai: the deployment name). */
    model: z.string().min(1).max(256),
    description: z.string().max(2000).optional(),
    /** Price per million tokens, in the currency of your choice (usage records cost = tokens × price / 1e6). */
    price: z
      .object({
        input: z.number().min(0).max(1_000_000),
        output: z.number().min(0).max(1_000_000),
      })
      .strict()
      .optional(),
  })
  .strict();

const rateSchema = z
  .object({
    requests: z.number().int().min(1).max(1_000_000),
    per: duration.default(60).pipe(z.number().min(1, 'at least 1 second')),
    burst: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

const agentLlmSchema = z
  .object({
    /** Prompt firewall action for this agent (overrides llm.injection.action). */
    injection: z.enum(PROMPT_FIREWALL_ACTIONS).optional(),
    /** Model tokens (prompt + completion) this agent may use per window; in memory, per process. */
    tokenBudget: z
      .object({
        tokens: z.number().int().min(1).max(1e12),
        per: duration.default(86400).pipe(z.number().min(1)),
      })
      .strict()
      .optional(),
    /** Model requests per window (token bucket), per process. */
    rateLimit: rateSchema.optional(),
  })
  .strict();

/** The `llm` section. */
export const llmSchema = z
  .object({
    providers: z.record(name, providerSchema).default({}),
    /** Model aliases agents ask for (`model: "fast"`), each on a provider. Policy action `Action::"model:<alias>"`. */
    models: z.record(name, modelSchema).default({}),
    /** The alias a request goes to when a data class's action is `reroute` ("restricted stays on premises"). */
    rerouteTo: name.optional(),
    /** Insert a canary into system prompts and withhold a response that repeats it (system-prompt leakage). */
    canary: z.boolean().default(false),
    injection: z
      .object({
        threshold: z.number().min(0).max(1).default(0.5),
        action: z.enum(PROMPT_FIREWALL_ACTIONS).default('log'),
      })
      .strict()
      .prefault({}),
    /** Per-agent settings: prompt firewall action, token budget, rate limit. */
    agents: z.record(name, agentLlmSchema).default({}),
  })
  .strict();

export type LlmConfig = z.output<typeof llmSchema>;
export type ProviderConfig = LlmConfig['providers'][string];
export type ModelConfig = LlmConfig['models'][string];

interface LlmReferenceContext {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/**
 * Models name providers that exist, providers that need a base URL or a key have one, `rerouteTo`
 * names a model on a local provider, data classes and agents exist.
 */
export function checkLlmReferences(
  llm: LlmConfig | undefined,
  classes: ReadonlySet<string>,
  agents: ReadonlySet<string>,
  context: LlmReferenceContext,
): void {
  if (typeof llm !== 'object' || llm === null) return;
  const providerList = Object.keys(llm.providers).join(', ') || '(none defined)';
  for (const [providerName, provider] of Object.entries(llm.providers)) {
    const path = ['llm', 'providers', providerName];
    if (
      (provider.type === 'azure-openai' || provider.type === 'openai-compatible') &&
      provider.baseUrl === undefined
    ) {
      context.addIssue({
        code: 'custom',
        path: [...path, 'baseUrl'],
        message: `provider "${providerName}" (${provider.type}) needs a baseUrl`,
      });
    }
    if (provider.type !== 'openai-compatible' && provider.apiKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: [...path, 'apiKey'],
        message: `provider "${providerName}" (${provider.type}) needs an apiKey reference such as "\${env:OPENAI_API_KEY}"`,
      });
    }
    for (const [dataClass, action] of Object.entries(provider.dataClasses)) {
      if (!classes.has(dataClass)) {
        context.addIssue({
          code: 'custom',
          path: [...path, 'dataClasses', dataClass],
          message: `"${dataClass}" is not a data class (defined: ${[...classes].join(', ')})`,
        });
      }
      if (action === 'reroute' && llm.rerouteTo === undefined) {
        context.addIssue({
          code: 'custom',
          path: [...path, 'dataClasses', dataClass],
          message: `"reroute" needs llm.rerouteTo: the model alias (on a local provider) such requests go to`,
        });
      }
    }
  }
  for (const [alias, model] of Object.entries(llm.models)) {
    if (!Object.hasOwn(llm.providers, model.provider)) {
      context.addIssue({
        code: 'custom',
        path: ['llm', 'models', alias, 'provider'],
        message: `model "${alias}" names provider "${model.provider}", which is not defined under llm.providers (defined: ${providerList})`,
      });
    }
  }
  if (llm.rerouteTo !== undefined) {
    const target = llm.models[llm.rerouteTo];
    const provider = target === undefined ? undefined : llm.providers[target.provider];
    if (target === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['llm', 'rerouteTo'],
        message: `"${llm.rerouteTo}" is not a model alias under llm.models`,
      });
    } else if (provider !== undefined && !provider.local) {
      context.addIssue({
        code: 'custom',
        path: ['llm', 'rerouteTo'],
        message: `"${llm.rerouteTo}" runs on provider "${target.provider}", which is not local: true; rerouted data must stay on premises`,
      });
    }
  }
  for (const agentName of Object.keys(llm.agents)) {
    if (!agents.has(agentName)) {
      context.addIssue({
        code: 'custom',
        path: ['llm', 'agents', agentName],
        message: `"${agentName}" is not an agent under agents`,
      });
    }
  }
}
