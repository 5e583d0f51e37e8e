/**
 * Contract of the upstream catalog: the MCP servers Warden fronts, their tools, and calls to them.
 * A dead upstream fails fast with a clear error; the others keep serving.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject } from '../core/index.js';

/** A tool an upstream offers and the config declares, as Warden exposes it. */
export interface UpstreamTool {
  /** `<server>__<tool>`: the name agents see and call. */
  exposedName: string;
  server: string;
  /** The tool's name on its server. */
  name: string;
  title?: string;
  description?: string;
  /** JSON Schema of the arguments, as the upstream lists it; arguments are validated against it. */
  inputSchema: JsonObject;
  outputSchema?: JsonObject;
  annotations?: JsonObject;
}

export type UpstreamState = 'connecting' | 'ready' | 'down' | 'closed';

export interface UpstreamStatus {
  server: string;
  transport: 'stdio' | 'http';
  state: UpstreamState;
  /** Exposed tools (declared in config and offered by the server). */
  tools: number;
  /** Tools the server offers that the config does not declare: hidden and refused. */
  undeclaredTools: string[];
  /** Tools the config declares that the server does not offer. */
  missingTools: string[];
  lastError: string | null;
  /** ISO time of the last state change. */
  since: string;
  /** When down: ISO time of the next connection attempt. */
  retryAt?: string;
  /** Process id of a stdio server's child process, while it runs. */
  pid?: number;
}

export interface CallToolOptions {
  /** Overrides the server's configured timeout, in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * `_meta` to forward. A `progressToken` in it is dropped: the upstream's progress reaches the caller
   * only through `onProgress` (the front maps it back onto its client's token).
   */
  meta?: JsonObject;
  /** Receives the upstream's progress notifications for this call. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export interface UpstreamCatalog {
  /** Connects every configured server; resolves when each is ready or has failed once (failed ones retry with backoff). */
  start(): Promise<void>;
  /** Exposed tools of the servers that are ready, ordered by exposed name. */
  listTools(): UpstreamTool[];
  getTool(exposedName: string): UpstreamTool | undefined;
  /**
   * Calls a tool on its upstream.
   * @throws WardenError WARDEN_TOOL_NOT_FOUND, WARDEN_UPSTREAM_UNAVAILABLE, WARDEN_UPSTREAM_TIMEOUT,
   *   WARDEN_UPSTREAM_RESULT_TOO_LARGE, WARDEN_UPSTREAM_INVALID_RESPONSE. A tool error the upstream
   *   returns (`isError: true`) is a result, not an exception.
   */
  callTool(exposedName: string, args: JsonObject, options?: CallToolOptions): Promise<CallToolResult>;
  status(): UpstreamStatus[];
  /** Called when the set of exposed tools changes (a server connects, drops, or lists new tools). */
  onToolsChanged(listener: () => void): () => void;
  close(): Promise<void>;
}

export type { CallToolResult };
