/**
 * One upstream MCP server: connects, lists its tools, keeps the declared ones, reconnects with
 * backoff when it fails, and makes calls with a timeout, a size limit and a checked result.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  ErrorCode as McpErrorCode,
  ListToolsResultSchema,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';
import type { ServerConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { ResponseTooLargeError, createTransport } from './transport.js';
import type { UpstreamTransport } from './transport.js';
import type {
  CallToolOptions,
  CallToolResult,
  UpstreamState,
  UpstreamStatus,
  UpstreamTool,
} from './types.js';

/** The logger the catalog writes to: pino's shape (fields first, then the message). */
export interface UpstreamLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ConnectionOptions {
  name: string;
  config: ServerConfig;
  baseDir: string;
  clock: Clock;
  logger: UpstreamLogger;
  backoff: BackoffOptions;
  env: NodeJS.ProcessEnv;
  validator: AjvJsonSchemaValidator;
  /** Longest wait for the server to start, initialize and list its tools. */
  connectTimeoutMs: number;
  /** Called when the exposed tools change (ready, down, or a new listing). */
  onToolsChanged: () => void;
}

const CLIENT_INFO = { name: 'warden', version: '0.1.0' };
/** A listing longer than this is refused: a server cannot make Warden page forever. */
const MAX_TOOL_PAGES = 100;
const MAX_TOOLS = 10_000;
/** A connection that stayed ready this long starts its backoff from the beginning after a failure. */
const STABLE_AFTER_MS = 30_000;
/** Lines of a child's stderr kept for error messages, and logged per connection before going quiet. */
const STDERR_TAIL_LINES = 5;
const MAX_LOGGED_LINES = 200;
const MAX_LOGGED_ERRORS = 20;
const MAX_TEXT = 300;
/** The SDK checks nothing about a tools/call result here; Warden checks it itself (size first). */
const ANY_RESULT = z.unknown();
/** HTTP statuses that mean the session or the credential is gone: reconnect rather than report one failed call. */
const RECONNECT_STATUSES = new Set([401, 403, 404]);
/** Codes the SDK itself raises (not the upstream) when the connection closes or its own timer fires. */
const CONNECTION_CLOSED: number = McpErrorCode.ConnectionClosed;
const REQUEST_TIMEOUT: number = McpErrorCode.RequestTimeout;

type ValidateOutput = ((value: unknown) => { valid: boolean; errorMessage?: string | undefined }) | null;

export class UpstreamConnection {
  readonly name: string;
  readonly config: ServerConfig;
  readonly #options: ConnectionOptions;
  #state: UpstreamState = 'connecting';
  #since: number;
  #lastError: string | null = null;
  #retryAt: number | null = null;
  /** Consecutive failures, for the backoff. */
  #failures = 0;
  #readySince: number | null = null;
  /** Bumped on every connect, failure and close; events of an older generation are ignored. */
  #generation = 0;
  #client: Client | undefined;
  #transport: UpstreamTransport | undefined;
  #pid: number | null = null;
  /** Declared tools the server offers, by their name on the server; kept while the server is down. */
  #tools = new Map<string, UpstreamTool>();
  #fingerprint = '';
  #undeclared: string[] = [];
  #missing: string[] = [];
  #validators = new Map<string, ValidateOutput>();
  #retryTimer: NodeJS.Timeout | undefined;
  #refreshing = false;
  #refreshAgain = false;
  #stderrTail: string[] = [];
  #loggedLines = 0;
  #loggedErrors = 0;
  /** Clients being closed in the background (their child processes exiting). */
  #closing = new Set<Promise<void>>();

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.name = options.name;
    this.config = options.config;
    this.#since = options.clock.now();
  }

  get state(): UpstreamState {
    return this.#state;
  }

  /** Connects once; resolves when the server is ready or this attempt failed (a retry is then scheduled). */
  start(): Promise<void> {
    return this.#connect();
  }

  /** A declared tool the server offered in its last listing (also while it is down), by its name on the server. */
  tool(name: string): UpstreamTool | undefined {
    return this.#tools.get(name);
  }

  /** Exposed tools, when ready. */
  readyTools(): UpstreamTool[] {
    return this.#state === 'ready' ? [...this.#tools.values()] : [];
  }

  status(): UpstreamStatus {
    return {
      server: this.name,
      transport: this.config.transport,
      state: this.#state,
      tools: this.#tools.size,
      undeclaredTools: [...this.#undeclared],
      missingTools: [...this.#missing],
      lastError: this.#lastError,
      since: new Date(this.#since).toISOString(),
      ...(this.#retryAt === null ? {} : { retryAt: new Date(this.#retryAt).toISOString() }),
      ...(this.#pid === null ? {} : { pid: this.#pid }),
    };
  }

  /**
   * Calls `toolName` (its name on the server) with a timeout, then checks the result's size and shape.
   * @throws WardenError, see UpstreamCatalog.callTool.
   */
  async call(toolName: string, args: JsonObject, options: CallToolOptions = {}): Promise<CallToolResult> {
    const exposedName = `${this.name}__${toolName}`;
    if (!Object.hasOwn(this.config.tools, toolName)) {
      const offered = this.#undeclared.includes(toolName);
      throw new WardenError(
        'WARDEN_TOOL_NOT_FOUND',
        offered
          ? `server "${this.name}" offers a tool "${toolName}" but the config does not declare it, so Warden hides it; declare it under servers.${this.name}.tools to expose ${exposedName}`
          : `server "${this.name}" has no declared tool "${toolName}"; call tools/list to see the tools`,
        { server: this.name, tool: exposedName },
      );
    }
    const client = this.#client;
    if (this.#state !== 'ready' || client === undefined) throw this.unavailable(exposedName);
    const tool = this.#tools.get(toolName);
    if (tool === undefined) {
      throw new WardenError(
        'WARDEN_TOOL_NOT_FOUND',
        `${exposedName} is declared in the config but server "${this.name}" does not offer a tool "${toolName}"; check the tool's name against the server's tools`,
        { server: this.name, tool: exposedName },
      );
    }
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw cancelled(exposedName);

    const timeoutMs = options.timeoutMs ?? this.config.timeout * 1000;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`Warden's ${timeoutMs} ms timeout`));
    }, timeoutMs);
    const stopListening =
      callerSignal === undefined
        ? undefined
        : onAbort(callerSignal, () => controller.abort(new Error('the caller cancelled the call')));
    const generation = this.#generation;
    let raw: unknown;
    try {
      raw = await client.request(
        { method: 'tools/call', params: callParams(toolName, args, options) },
        ANY_RESULT,
        {
          signal: controller.signal,
          // Warden's own timer above answers first; this only stops the SDK's 60 s default from interfering.
          timeout: timeoutMs + 60_000,
          ...(options.onProgress === undefined ? {} : { onprogress: options.onProgress }),
        },
      );
    } catch (error) {
      if (timedOut) {
        throw new WardenError(
          'WARDEN_UPSTREAM_TIMEOUT',
          `${exposedName} did not answer within ${formatMs(timeoutMs)}, so Warden cancelled the call; the upstream may still have acted on it. Retry, or raise servers.${this.name}.timeout`,
          { server: this.name, tool: exposedName, timeoutMs },
        );
      }
      if (callerSignal?.aborted) throw cancelled(exposedName);
      throw this.#callFailure(error, generation, exposedName);
    } finally {
      clearTimeout(timer);
      stopListening?.();
    }
    return this.#checkResult(tool, raw);
  }

  /** The error for a call to this server while it is not ready. */
  unavailable(exposedName: string): WardenError {
    // The cause (an upstream's stderr, an HTTP error body) stays in the gateway log and status: it
    // can hold another agent's data or a credential, and this error goes to the calling agent.
    const details = {
      server: this.name,
      tool: exposedName,
      state: this.#state,
      retryAt: this.#retryAt === null ? null : new Date(this.#retryAt).toISOString(),
    };
    switch (this.#state) {
      case 'closed':
        return new WardenError(
          'WARDEN_UPSTREAM_UNAVAILABLE',
          `${exposedName} cannot be called: Warden is shutting down and has closed server "${this.name}"`,
          details,
        );
      case 'connecting':
        return new WardenError(
          'WARDEN_UPSTREAM_UNAVAILABLE',
          `${exposedName} cannot be called yet: server "${this.name}" is still connecting; retry in a moment`,
          details,
        );
      default:
        return new WardenError(
          'WARDEN_UPSTREAM_UNAVAILABLE',
          `${exposedName} cannot be called: server "${this.name}" is down since ${new Date(this.#since).toISOString()}. Warden retries ${
            this.#retryAt === null ? 'soon' : `at ${new Date(this.#retryAt).toISOString()}`
          }; other servers keep serving. The gateway log has the cause`,
          details,
        );
    }
  }

  /** Stops retrying, closes the client and waits for the child process (if any) to exit. */
  async close(): Promise<void> {
    if (this.#state !== 'closed') {
      this.#generation += 1;
      clearTimeout(this.#retryTimer);
      this.#retryAt = null;
      const wasReady = this.#state === 'ready';
      this.#setState('closed');
      this.#closeClient(true);
      if (wasReady) this.#options.onToolsChanged();
    }
    while (this.#closing.size > 0) await Promise.allSettled([...this.#closing]);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'closed') return;
    const generation = ++this.#generation;
    this.#retryAt = null;
    this.#setState('connecting');
    this.#stderrTail = [];
    this.#loggedLines = 0;
    this.#loggedErrors = 0;
    const timeout = this.#options.connectTimeoutMs;
    try {
      const transport = createTransport(this.config, this.#options.baseDir, this.#options.env);
      const client = new Client(CLIENT_INFO, { capabilities: {} });
      this.#transport = transport;
      this.#client = client;
      if (transport.kind === 'stdio' && transport.stderr !== null) {
        transport.stderr.setEncoding('utf8');
        let partial = '';
        transport.stderr.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          if (partial.length > 4096) partial = partial.slice(0, 4096);
          for (const line of lines) this.#onStderrLine(generation, line);
        });
      }
      client.onerror = (error) => this.#onTransportError(generation, error);
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.#refreshTools(generation));
      // A failed connect rejects with its own reason; only a connection that was up reports closing.
      await client.connect(transport.transport, { timeout });
      client.onclose = () => this.#fail(generation, this.#closedMessage());
      if (transport.kind === 'stdio') this.#pid = transport.transport.pid;
      const tools = await this.#listAllTools(client, timeout);
      if (generation !== this.#generation) return;
      this.#applyTools(tools);
      this.#lastError = null;
      this.#readySince = this.#options.clock.now();
      this.#setState('ready');
      this.#options.logger.info(
        {
          server: this.name,
          tools: this.#tools.size,
          undeclaredTools: this.#undeclared,
          missingTools: this.#missing,
        },
        `upstream "${this.name}" is ready`,
      );
      this.#options.onToolsChanged();
    } catch (error) {
      this.#fail(generation, this.#describeFailure(error));
    }
  }

  /** Marks the server down (once per generation), closes its client and schedules a retry. */
  #fail(generation: number, message: string): void {
    if (generation !== this.#generation || this.#state === 'closed') return;
    this.#generation += 1;
    const now = this.#options.clock.now();
    const wasReady = this.#state === 'ready';
    if (this.#readySince !== null && now - this.#readySince >= STABLE_AFTER_MS) this.#failures = 0;
    this.#readySince = null;
    this.#closeClient(false);
    const delay = backoffDelay(this.#failures, this.#options.backoff);
    this.#failures += 1;
    this.#lastError = message;
    this.#retryAt = now + delay;
    this.#setState('down');
    this.#options.logger.warn(
      { server: this.name, error: message, retryInMs: delay, failures: this.#failures },
      `upstream "${this.name}" is down; retrying in ${formatMs(delay)}`,
    );
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
    this.#retryTimer.unref();
    if (wasReady) this.#options.onToolsChanged();
  }

  #closeClient(terminateSession: boolean): void {
    const client = this.#client;
    const transport = this.#transport;
    this.#client = undefined;
    this.#transport = undefined;
    this.#pid = null;
    if (client === undefined) return;
    const closing = (async () => {
      if (terminateSession && transport?.kind === 'http' && transport.transport.sessionId !== undefined) {
        // Best effort: tell the server the session is over, but never hang shutdown on it.
        await Promise.race([
          transport.transport.terminateSession().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 1000).unref()),
        ]);
      }
      await client.close();
    })()
      .catch((error: unknown) => {
        this.#options.logger.warn(
          { server: this.name, error: errorText(error) },
          `closing upstream "${this.name}" failed`,
        );
      })
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  async #listAllTools(client: Client, timeout: number): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
      let result;
      try {
        result = await client.request(
          { method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
          ListToolsResultSchema,
          { timeout },
        );
      } catch (error) {
        if (error instanceof z.core.$ZodError) {
          throw new WardenError(
            'WARDEN_UPSTREAM_INVALID_RESPONSE',
            `its tools/list answer is not a valid MCP tool list (${firstIssue(error)})`,
          );
        }
        throw error;
      }
      tools.push(...result.tools);
      if (tools.length > MAX_TOOLS) {
        throw new WardenError('WARDEN_UPSTREAM_INVALID_RESPONSE', `it lists more than ${MAX_TOOLS} tools`);
      }
      cursor = result.nextCursor;
      if (cursor === undefined) return tools;
    }
    throw new WardenError(
      'WARDEN_UPSTREAM_INVALID_RESPONSE',
      `its tool list runs past ${MAX_TOOL_PAGES} pages`,
    );
  }

  /** Keeps the declared tools the server offers; records the undeclared and the missing ones. */
  #applyTools(listed: Tool[]): boolean {
    const declared = this.config.tools;
    const offered = new Map<string, Tool>();
    for (const tool of listed) if (!offered.has(tool.name)) offered.set(tool.name, tool);
    const tools = new Map<string, UpstreamTool>();
    for (const [name, toolConfig] of Object.entries(declared).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      const tool = offered.get(name);
      if (tool !== undefined) tools.set(name, exposedTool(this.name, tool, toolConfig.description));
    }
    const undeclared = [...offered.keys()].filter((name) => !Object.hasOwn(declared, name)).sort();
    const missing = Object.keys(declared)
      .filter((name) => !offered.has(name))
      .sort();
    if (undeclared.join('\n') !== this.#undeclared.join('\n') && undeclared.length > 0) {
      this.#options.logger.warn(
        { server: this.name, undeclaredTools: undeclared },
        `upstream "${this.name}" offers tools the config does not declare; they are hidden: ${undeclared.join(', ')}`,
      );
    }
    if (missing.join('\n') !== this.#missing.join('\n') && missing.length > 0) {
      this.#options.logger.warn(
        { server: this.name, missingTools: missing },
        `upstream "${this.name}" does not offer tools the config declares: ${missing.join(', ')}`,
      );
    }
    this.#undeclared = undeclared;
    this.#missing = missing;
    this.#tools = tools;
    this.#validators.clear();
    const fingerprint = JSON.stringify([...tools.values()]);
    const changed = fingerprint !== this.#fingerprint;
    this.#fingerprint = fingerprint;
    return changed;
  }

  /** Relists the tools after notifications/tools/list_changed; several notifications make one more listing. */
  #refreshTools(generation: number): void {
    if (generation !== this.#generation) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    void (async () => {
      do {
        this.#refreshAgain = false;
        // Always the current connection: a reconnect lists the tools itself, and later notices come from it.
        const current = this.#generation;
        const client = this.#client;
        if (client === undefined || this.#state !== 'ready') return;
        try {
          const tools = await this.#listAllTools(client, this.#options.connectTimeoutMs);
          if (current !== this.#generation) continue;
          const changed = this.#applyTools(tools);
          this.#options.logger.info(
            { server: this.name, tools: this.#tools.size },
            `upstream "${this.name}" changed its tool list`,
          );
          if (changed) this.#options.onToolsChanged();
        } catch (error) {
          if (current !== this.#generation) continue;
          this.#options.logger.warn(
            { server: this.name, error: this.#describeFailure(error) },
            `upstream "${this.name}" announced new tools but listing them failed; keeping the previous list`,
          );
        }
      } while (this.#refreshAgain);
    })().finally(() => {
      this.#refreshing = false;
    });
  }

  #checkResult(tool: UpstreamTool, raw: unknown): CallToolResult {
    const limit = this.config.maxResultBytes;
    const json = JSON.stringify(raw) ?? '';
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so short results need no byte count.
    const bytes = json.length * 3 <= limit ? json.length : Buffer.byteLength(json);
    if (bytes > limit) throw this.#tooLarge(tool.exposedName, bytes);
    const parsed = CallToolResultSchema.safeParse(raw);
    if (!parsed.success) {
      throw new WardenError(
        'WARDEN_UPSTREAM_INVALID_RESPONSE',
        `server "${this.name}" answered ${tool.exposedName} with something that is not a tool result (${firstIssue(parsed.error)}); the server is faulty, report it to its maintainers`,
        { server: this.name, tool: tool.exposedName },
      );
    }
    const result = parsed.data;
    if (tool.outputSchema !== undefined && result.isError !== true)
      this.#checkStructuredContent(tool, result);
    return result;
  }

  #checkStructuredContent(tool: UpstreamTool, result: CallToolResult): void {
    const invalid = (problem: string): WardenError =>
      new WardenError(
        'WARDEN_UPSTREAM_INVALID_RESPONSE',
        `server "${this.name}" answered ${tool.exposedName} with a result that breaks the tool's own output schema: ${problem}`,
        { server: this.name, tool: tool.exposedName },
      );
    if (result.structuredContent === undefined)
      throw invalid('it declares an output schema but sent no structuredContent');
    let validate = this.#validators.get(tool.name);
    if (validate === undefined) {
      try {
        validate = this.#options.validator.getValidator(tool.outputSchema as JsonSchemaType);
      } catch (error) {
        this.#options.logger.warn(
          { server: this.name, tool: tool.exposedName, error: errorText(error) },
          `the output schema of ${tool.exposedName} does not compile; its structured results are passed unchecked`,
        );
        validate = null;
      }
      this.#validators.set(tool.name, validate);
    }
    if (validate === null) return;
    const outcome = validate(result.structuredContent);
    if (!outcome.valid) throw invalid(truncate(outcome.errorMessage ?? 'does not match'));
  }

  #tooLarge(exposedName: string, bytes: number | null): WardenError {
    const limit = this.config.maxResultBytes;
    return new WardenError(
      'WARDEN_UPSTREAM_RESULT_TOO_LARGE',
      `the result of ${exposedName} is ${bytes === null ? 'larger than' : `${bytes} bytes, more than`} the ${limit} bytes allowed (servers.${this.name}.maxResultBytes); ask for less (a smaller limit or page), or raise the limit`,
      { server: this.name, tool: exposedName, limit, ...(bytes === null ? {} : { bytes }) },
    );
  }

  /** Maps an error from the SDK during a call onto a WardenError; a broken connection marks the server down. */
  #callFailure(error: unknown, generation: number, exposedName: string): WardenError {
    if (error instanceof ResponseTooLargeError) return this.#tooLarge(exposedName, null);
    const connectionLost = generation !== this.#generation || this.#state !== 'ready';
    if (error instanceof McpError && !(error.code === CONNECTION_CLOSED && connectionLost)) {
      const message = truncate(error.message.replace(/^MCP error -?\d+: /, ''));
      return new WardenError(
        'WARDEN_UPSTREAM_ERROR',
        `server "${this.name}" refused the call to ${exposedName}: ${message} (JSON-RPC error ${error.code})`,
        { server: this.name, tool: exposedName, upstreamCode: error.code, upstreamMessage: message },
      );
    }
    if (isMalformed(error)) {
      return new WardenError(
        'WARDEN_UPSTREAM_INVALID_RESPONSE',
        `server "${this.name}" answered ${exposedName} with something that is not a JSON-RPC message (${errorText(error)}); the server is faulty, report it to its maintainers`,
        { server: this.name, tool: exposedName },
      );
    }
    if (
      error instanceof StreamableHTTPError &&
      typeof error.code === 'number' &&
      !RECONNECT_STATUSES.has(error.code)
    ) {
      return new WardenError(
        'WARDEN_UPSTREAM_ERROR',
        `server "${this.name}" answered the call to ${exposedName} with HTTP ${error.code}: ${errorText(error).replace(/^Streamable HTTP error: /, '')}`,
        { server: this.name, tool: exposedName, httpStatus: error.code },
      );
    }
    if (!connectionLost) this.#fail(generation, this.#describeFailure(error));
    const unavailable = this.unavailable(exposedName);
    if (this.#state === 'closed') {
      return new WardenError(
        'WARDEN_UPSTREAM_UNAVAILABLE',
        `the call to ${exposedName} was cut off because Warden is shutting down and closed server "${this.name}"; whether it ran is unknown`,
        unavailable.details,
        { cause: error },
      );
    }
    return new WardenError(
      'WARDEN_UPSTREAM_UNAVAILABLE',
      `the connection to server "${this.name}" failed during the call, so whether ${exposedName} ran is unknown. ${unavailable.message}`,
      unavailable.details,
      { cause: error },
    );
  }

  #onStderrLine(generation: number, line: string): void {
    const text = truncate(line.trim());
    if (text === '') return;
    if (generation === this.#generation) {
      this.#stderrTail.push(text);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
    }
    this.#loggedLines += 1;
    if (this.#loggedLines <= MAX_LOGGED_LINES) {
      this.#options.logger.info({ server: this.name, stderr: text }, `upstream "${this.name}" stderr`);
    } else if (this.#loggedLines === MAX_LOGGED_LINES + 1) {
      this.#options.logger.warn(
        { server: this.name },
        `upstream "${this.name}" writes a lot to stderr; not logging more of it`,
      );
    }
  }

  #onTransportError(generation: number, error: Error): void {
    if (generation !== this.#generation) return;
    this.#loggedErrors += 1;
    if (this.#loggedErrors <= MAX_LOGGED_ERRORS) {
      this.#options.logger.warn(
        { server: this.name, error: truncate(error.message) },
        `upstream "${this.name}" sent something Warden could not use`,
      );
    } else if (this.#loggedErrors === MAX_LOGGED_ERRORS + 1) {
      this.#options.logger.warn(
        { server: this.name },
        `upstream "${this.name}" keeps sending unusable output; not logging more of it`,
      );
    }
  }

  #closedMessage(): string {
    if (this.config.transport === 'http') return 'the connection closed';
    const last = this.#stderrTail.at(-1);
    return `its process exited${last === undefined ? '' : ` (last stderr line: ${last})`}`;
  }

  #describeFailure(error: unknown): string {
    if (error instanceof McpError && error.code === CONNECTION_CLOSED) return this.#closedMessage();
    if (error instanceof McpError && error.code === REQUEST_TIMEOUT) {
      return `it did not finish starting (initialize and tools/list) within ${formatMs(this.#options.connectTimeoutMs)}`;
    }
    const spawnCode = (error as { code?: unknown } | null)?.code;
    if (spawnCode === 'ENOENT' && this.config.transport === 'stdio') {
      return `its command "${this.config.command}" was not found (check servers.${this.name}.command and PATH)`;
    }
    if (error instanceof StreamableHTTPError) {
      const reason = error.message.replace(/^Streamable HTTP error: /, '');
      const status = typeof error.code === 'number' && error.code > 0 ? `HTTP ${error.code}: ` : '';
      const hint =
        error.code === 401 || error.code === 403
          ? ` (check the credential in servers.${this.name}.headers)`
          : '';
      return truncate(`${status}${reason}${hint}`);
    }
    if (error instanceof Error && error.message === 'fetch failed' && error.cause instanceof Error) {
      return truncate(`fetch failed: ${error.cause.message}`);
    }
    return errorText(error);
  }

  #setState(state: UpstreamState): void {
    if (this.#state !== state) this.#since = this.#options.clock.now();
    this.#state = state;
  }
}

function exposedTool(server: string, tool: Tool, configuredDescription: string | undefined): UpstreamTool {
  // The configured description wins: it was reviewed, and a server's own text may try to steer agents.
  const description = configuredDescription ?? tool.description;
  return {
    exposedName: `${server}__${tool.name}`,
    server,
    name: tool.name,
    ...(tool.title === undefined ? {} : { title: tool.title }),
    ...(description === undefined ? {} : { description }),
    inputSchema: tool.inputSchema as JsonObject,
    ...(tool.outputSchema === undefined ? {} : { outputSchema: tool.outputSchema as JsonObject }),
    ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
  };
}

function callParams(
  name: string,
  args: JsonObject,
  options: CallToolOptions,
): { name: string; arguments: JsonObject; _meta?: JsonObject } {
  if (options.meta === undefined) return { name, arguments: args };
  // The SDK client routes progress only for tokens it issued itself (via onProgress), so drop the caller's.
  const { progressToken: _progressToken, ...meta } = options.meta;
  return Object.keys(meta).length === 0 ? { name, arguments: args } : { name, arguments: args, _meta: meta };
}

/** Answers that are not JSON, not JSON-RPC, or of a content type MCP does not use. */
function isMalformed(error: unknown): boolean {
  return (
    error instanceof SyntaxError ||
    error instanceof z.core.$ZodError ||
    (error instanceof StreamableHTTPError && error.code === -1)
  );
}

/** Callbacks waiting on each caller signal: one listener per signal, however many calls share it. */
const abortCallbacks = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `callback` when `signal` aborts; returns a function that stops waiting. */
function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = abortCallbacks.get(signal);
  if (callbacks === undefined) {
    const waiting = new Set<() => void>();
    callbacks = waiting;
    abortCallbacks.set(signal, waiting);
    signal.addEventListener(
      'abort',
      () => {
        for (const waiter of [...waiting]) waiter();
        waiting.clear();
      },
      { once: true },
    );
  }
  callbacks.add(callback);
  const registered = callbacks;
  return () => void registered.delete(callback);
}

function cancelled(exposedName: string): WardenError {
  return new WardenError(
    'WARDEN_CALL_CANCELLED',
    `the call to ${exposedName} was cancelled by its caller before the upstream answered; the upstream may still have acted on it`,
    { tool: exposedName },
  );
}

function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return truncate(`${path}${issue.message}`);
}

function errorText(error: unknown): string {
  return truncate(error instanceof Error ? error.message : String(error));
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function formatMs(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000} s` : `${milliseconds} ms`;
}
