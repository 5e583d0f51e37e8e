/**
 * Provider adapters behind one interface: where a request goes, with which headers (the provider
 * key lives only here, resolved from the config's secret reference), and how the provider's usage
 * and errors read. OpenAI, Azure OpenAI and OpenAI-compatible servers share the OpenAI wire format;
 * Anthropic has its own. Requests go over keep-alive node:http agents, never through a proxy the
 * agent controls.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../core/index.js';
import type { JsonObject } from '../core/index.js';
import type { ProviderConfig } from '../config/llm-schema.js';

/** The two wire formats Warden speaks. */
export type WireFormat = 'openai' | 'anthropic';

/** Token counts a provider reported. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** One provider, as the service uses it. */
export interface ProviderAdapter {
  readonly name: string;
  readonly format: WireFormat;
  readonly local: boolean;
  readonly config: ProviderConfig;
  /** The URL of a chat request for this provider's model id. */
  chatUrl(model: string): URL;
  /** Request headers, the provider's key included. */
  headers(clientHeaders: Readonly<Record<string, string | string[] | undefined>>): Record<string, string>;
  /** `text` (something the provider said) with every trace of the provider key replaced; see {@link scrubProviderKey}. */
  scrub(text: string): string;
}

/** What replaces a trace of the provider key in text the provider sent. */
const KEY_REDACTED = '[REDACTED]';

/** The shortest run of the provider key that counts as a trace of it anywhere in a text. */
const MIN_KEY_RUN = 8;

/** A word shaped like a provider key, whole or masked: `sk-...`, `sk-ant-...`, `sk-proj-****abcd`. */
const KEY_SHAPED_WORD = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_*.\u2026-]{3,}[A-Za-z0-9_*-]/g;

/**
 * Replaces in `text` every trace of `apiKey` a provider may echo in an error: the key itself, any run
 * of 8 or more of its characters, any word shaped like a provider key (`sk-...`), and a masked form
 * holding its last 4 characters (`...wxyz`, `****wxyz`, `sk-ab**wxyz`). Linear in the
 * text: each position is looked up once in the set of the key's 8-character windows.
 */
export function scrubProviderKey(text: string, apiKey: string | undefined): string {
  let result = text.replace(KEY_SHAPED_WORD, KEY_REDACTED);
  if (apiKey !== undefined && apiKey.length >= MIN_KEY_RUN) {
    const windows = new Set<string>();
    for (let index = 0; index + MIN_KEY_RUN <= apiKey.length; index += 1) {
      windows.add(apiKey.slice(index, index + MIN_KEY_RUN));
    }
    const covered = new Uint8Array(result.length);
    let found = false;
    for (let index = 0; index + MIN_KEY_RUN <= result.length; index += 1) {
      if (!windows.has(result.slice(index, index + MIN_KEY_RUN))) continue;
      covered.fill(1, index, index + MIN_KEY_RUN);
      found = true;
    }
    if (found) {
      let out = '';
      for (let index = 0; index < result.length; index += 1) {
        if (covered[index] === 0) out += result[index];
        else if (index === 0 || covered[index - 1] === 0) out += KEY_REDACTED;
      }
      result = out;
    }
  }
  if (apiKey === undefined || apiKey.length < 4) return result;
  // A masked key: a word with `*`, `...` or `…` in it that holds the key's last 4 characters.
  const tail = apiKey.slice(-4);
  return result.replace(/[^\s"'`,;:()[\]{}<>]+/g, (word) => {
    let end = word.length;
    while (end > 0 && '.!?'.includes(word[end - 1] as string)) end -= 1;
    const core = word.slice(0, end);
    return core.includes(tail) && /\*|\.\.\.|\u2026/.test(core)
      ? `${KEY_REDACTED}${word.slice(core.length)}`
      : word;
  });
}

const agents = {
  http: new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, timeout: 60_000 }),
  https: new https.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, timeout: 60_000 }),
};

/** Builds the adapter of one configured provider. `apiKey` is the resolved secret (or undefined). */
export function createProviderAdapter(name: string, config: ProviderConfig): ProviderAdapter {
  const apiKey = config.apiKey;
  switch (config.type) {
    case 'anthropic': {
      const base = (config.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '');
      return {
        name,
        format: 'anthropic',
        local: config.local,
        config,
        chatUrl: () => new URL(`${base}/v1/messages`),
        headers(clientHeaders) {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'anthropic-version': config.anthropicVersion,
          };
          if (apiKey !== undefined) headers['x-api-key'] = apiKey;
          const beta = clientHeaders['anthropic-beta'];
          if (typeof beta === 'string' && /^[A-Za-z0-9._,-]{1,512}$/.test(beta))
            headers['anthropic-beta'] = beta;
          return headers;
        },
        scrub: (text) => scrubProviderKey(text, apiKey),
      };
    }
    case 'azure-openai': {
      const base = (config.baseUrl ?? '').replace(/\/+$/, '');
      return {
        name,
        format: 'openai',
        local: config.local,
        config,
        chatUrl: (model) =>
          new URL(
            `${base}/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=${encodeURIComponent(config.apiVersion)}`,
          ),
        headers() {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          };
          if (apiKey !== undefined) headers['api-key'] = apiKey;
          return headers;
        },
        scrub: (text) => scrubProviderKey(text, apiKey),
      };
    }
    case 'openai':
    case 'openai-compatible': {
      const base = (config.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
      return {
        name,
        format: 'openai',
        local: config.local,
        config,
        chatUrl: () => new URL(`${base}/chat/completions`),
        headers() {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          };
          if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
          return headers;
        },
        scrub: (text) => scrubProviderKey(text, apiKey),
      };
    }
  }
}

/**
 * Sends one request and resolves with the response once its headers arrived. Connection failures
 * become WARDEN_PROVIDER_UNAVAILABLE; an aborted signal (client gone, or the provider's timeout)
 * destroys the request.
 */
export function sendToProvider(
  adapter: ProviderAdapter,
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: secure ? agents.https : agents.http,
      signal,
    });
    request.on('response', resolve);
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) {
        reject(abortError(adapter, signal));
        return;
      }
      reject(
        new WardenError(
          'WARDEN_PROVIDER_UNAVAILABLE',
          `provider "${adapter.name}" could not be reached (${error.code ?? error.message}); check that it runs at llm.providers.${adapter.name}.baseUrl, or try again later`,
          { provider: adapter.name, cause: error.code ?? 'error' },
        ),
      );
    });
    request.end(body);
  });
}

/** The error for a request whose signal aborted: the provider's timeout, or the client left. */
export function abortError(adapter: ProviderAdapter, signal: AbortSignal): WardenError {
  const reason: unknown = signal.reason;
  if (reason instanceof WardenError) return reason;
  return new WardenError(
    'WARDEN_PROVIDER_TIMEOUT',
    `provider "${adapter.name}" did not answer within ${adapter.config.timeout} seconds (llm.providers.${adapter.name}.timeout); try again, or ask for a shorter answer`,
    { provider: adapter.name, timeoutSeconds: adapter.config.timeout },
  );
}

/** Reads a whole response body, at most `limit` bytes (more is WARDEN_PROVIDER_ERROR). */
export async function readBody(
  adapter: ProviderAdapter,
  response: IncomingMessage,
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      throw new WardenError(
        'WARDEN_PROVIDER_ERROR',
        `provider "${adapter.name}" sent a response larger than ${limit} bytes (llm.providers.${adapter.name}.maxResponseBytes)`,
        { provider: adapter.name, limit },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Where the provider's own words about a refusal go: the server log only, never the agent. */
export type ProviderLog = (fields: object, message: string) => void;

/**
 * The error for a provider's non-2xx answer (or an error event in its stream). The provider's message
 * is scrubbed of every trace of the provider key ({@link scrubProviderKey}) before it is passed on. On
 * 401 and 403 the agent gets a fixed message (the provider refused Warden's credentials, nothing the
 * agent can fix) and the provider's scrubbed words go to `log` only.
 */
export function providerError(
  adapter: ProviderAdapter,
  status: number,
  text: string,
  log?: ProviderLog,
): WardenError {
  let message = '';
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const error = parsed.error;
    const candidate = typeof error === 'string' ? error : (error?.message ?? parsed.message);
    if (typeof candidate === 'string') message = candidate;
  } catch {
    message = '';
  }
  // Scrub before cutting, so a key cut in two cannot leave a shorter trace behind.
  message = adapter.scrub(message.slice(0, 8192).replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ')).slice(0, 500);
  const said = message === '' ? '' : `: ${message}`;
  const details = { provider: adapter.name, providerStatus: status };
  if (status === 401 || status === 403) {
    log?.(
      { provider: adapter.name, providerStatus: status, providerMessage: message },
      "the model provider refused Warden's credentials",
    );
    return new WardenError(
      'WARDEN_PROVIDER_ERROR',
      `provider "${adapter.name}" refused Warden's credentials (HTTP ${status}); this is not something the agent can fix: an administrator must check the provider key (llm.providers.${adapter.name}.apiKey)`,
      details,
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new WardenError(
      'WARDEN_PROVIDER_REJECTED',
      `provider "${adapter.name}" rejected the request (HTTP ${status})${said}; fix the request and send it again`,
      details,
    );
  }
  return new WardenError(
    'WARDEN_PROVIDER_ERROR',
    `provider "${adapter.name}" failed (HTTP ${status})${said}; try again later`,
    details,
  );
}

/** Usage from a non-streamed response body of either format (0 when absent). */
export function usageOf(format: WireFormat, body: JsonObject): Usage {
  const usage = body.usage;
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) {
    return { promptTokens: 0, completionTokens: 0 };
  }
  const count = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.trunc(value) : 0;
  return format === 'openai'
    ? { promptTokens: count(usage.prompt_tokens), completionTokens: count(usage.completion_tokens) }
    : { promptTokens: count(usage.input_tokens), completionTokens: count(usage.output_tokens) };
}
