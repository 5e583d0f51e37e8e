/**
 * The upstream catalog: every configured MCP server, connected in parallel, exposing only the tools the
 * config declares. A dead server fails its calls fast and is retried with backoff; the others keep serving.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { ResolvedConfig } from '../config/index.js';
import { WardenError, systemClock } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { UpstreamConnection } from './connection.js';
import type { UpstreamLogger } from './connection.js';
import type {
  CallToolOptions,
  CallToolResult,
  UpstreamCatalog,
  UpstreamStatus,
  UpstreamTool,
} from './types.js';

export interface UpstreamCatalogOptions {
  servers: ResolvedConfig['servers'];
  /** The config file's directory: a stdio server's default working directory, and the base of a relative `cwd`. */
  baseDir: string;
  /** For state-change times and retry times; timers themselves run on real time. */
  clock?: Clock;
  logger?: UpstreamLogger;
  /** Reconnect delays; 0.5 s doubling to 30 s by default. */
  backoff?: Partial<BackoffOptions>;
  /** Where a stdio server's PATH, HOME and LANG come from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * Longest wait for a server to start, initialize and list its tools: by default the larger of its
   * call `timeout` and 30 s, since starting (npx, a virtualenv) is often slower than a call.
   */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const SILENT: UpstreamLogger = { info() {}, warn() {}, error() {} };

/**
 * Creates the catalog of upstream MCP servers; call `start()` to connect them and `close()` to stop
 * them (stdio children are ended).
 *
 * Stdio servers run with `cwd` = the config file's directory (a relative `cwd` is taken from there)
 * and an environment of PATH, HOME and LANG plus the server's configured `env`; Warden's own
 * variables, such as WARDEN_MASTER_KEY, never reach them. Tools are exposed as `<server>__<tool>`,
 * only when declared under `servers.<name>.tools`, with the configured description when one is given.
 *
 * @example
 * const catalog = createUpstreamCatalog({ servers: config.servers, baseDir: loaded.baseDir, logger });
 * await catalog.start();
 * const result = await catalog.callTool('crm__read_customer', { id: 'c-1001' });
 */
export function createUpstreamCatalog(options: UpstreamCatalogOptions): UpstreamCatalog {
  return new Catalog(options);
}

class Catalog implements UpstreamCatalog {
  readonly #connections = new Map<string, UpstreamConnection>();
  readonly #listeners = new Set<() => void>();
  readonly #logger: UpstreamLogger;
  #tools: UpstreamTool[] | undefined;
  #started: Promise<void> | undefined;

  constructor(options: UpstreamCatalogOptions) {
    this.#logger = options.logger ?? SILENT;
    const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const validator = new AjvJsonSchemaValidator();
    for (const [name, config] of Object.entries(options.servers)) {
      this.#connections.set(
        name,
        new UpstreamConnection({
          name,
          config,
          baseDir: options.baseDir,
          clock: options.clock ?? systemClock,
          logger: this.#logger,
          backoff,
          env: options.env ?? process.env,
          validator,
          connectTimeoutMs:
            options.connectTimeoutMs ?? Math.max(config.timeout * 1000, DEFAULT_CONNECT_TIMEOUT_MS),
          onToolsChanged: () => this.#toolsChanged(),
        }),
      );
    }
  }

  start(): Promise<void> {
    this.#started ??= Promise.all(
      [...this.#connections.values()].map((connection) => connection.start()),
    ).then(() => undefined);
    return this.#started;
  }

  listTools(): UpstreamTool[] {
    this.#tools ??= [...this.#connections.values()]
      .flatMap((connection) => connection.readyTools())
      .sort((a, b) => (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0));
    return [...this.#tools];
  }

  /** A declared tool its server offered, also while that server is down (so a call fails fast as unavailable). */
  getTool(exposedName: string): UpstreamTool | undefined {
    const target = this.#split(exposedName);
    return target?.connection.tool(target.tool);
  }

  async callTool(exposedName: string, args: JsonObject, options?: CallToolOptions): Promise<CallToolResult> {
    const target = this.#split(exposedName);
    if (target === undefined) {
      throw new WardenError(
        'WARDEN_TOOL_NOT_FOUND',
        `no tool named "${exposedName.slice(0, 200)}": tools are named <server>__<tool>; call tools/list to see them`,
        { tool: exposedName.slice(0, 200) },
      );
    }
    return target.connection.call(target.tool, args, options);
  }

  status(): UpstreamStatus[] {
    return [...this.#connections.values()].map((connection) => connection.status());
  }

  onToolsChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
  }

  #split(exposedName: string): { connection: UpstreamConnection; tool: string } | undefined {
    const separator = exposedName.indexOf('__');
    if (separator <= 0) return undefined;
    const server = exposedName.slice(0, separator);
    const connection = this.#connections.has(server) ? this.#connections.get(server) : undefined;
    return connection === undefined ? undefined : { connection, tool: exposedName.slice(separator + 2) };
  }

  #toolsChanged(): void {
    this.#tools = undefined;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        this.#logger.error(
          { error: error instanceof Error ? error.message : String(error) },
          'a tools-changed listener failed',
        );
      }
    }
  }
}
