/** Helpers for MCP front tests: a gateway server on a known port, tokens, and SDK clients. */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '../../../src/config/index.js';
import type { Clock } from '../../../src/core/index.js';
import { createLogger, startServer } from '../../../src/server/index.js';
import type { McpFrontSettings, RunningServer } from '../../../src/server/index.js';
import { makeGatewayWorkspace } from '../../pipeline/harness.js';
import type { GatewayWorkspace, GatewayWorkspaceOptions } from '../../pipeline/harness.js';

/** A port that was free a moment ago (so publicUrl can name the real address). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GatewayServer {
  workspace: GatewayWorkspace;
  server: RunningServer;
  url: string;
  /** Lines the server logged (JSON). */
  logs: string[];
  /** Issues a client secret (once per agent) and a fresh access token. */
  token(agent: string): Promise<string>;
  secret(agent: string): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayServerOptions extends GatewayWorkspaceOptions {
  clock?: Clock;
  mcp?: Partial<McpFrontSettings>;
  bodyLimit?: number;
}

/** Starts `warden serve` in-process over a gateway workspace, listening where publicUrl says. */
export async function startGatewayServer(options: GatewayServerOptions = {}): Promise<GatewayServer> {
  const port = await freePort();
  const workspace = await makeGatewayWorkspace({
    ...options,
    serverYaml: [
      '  host: 127.0.0.1',
      `  port: ${port}`,
      `  publicUrl: http://127.0.0.1:${port}`,
      '  drainTimeout: 10',
      `  bodyLimit: ${options.bodyLimit ?? 1048576}`,
    ].join('\n'),
  });
  const logs: string[] = [];
  const destination = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const loaded = await loadConfig({ path: workspace.configPath, env: {} });
  let server: RunningServer;
  try {
    server = await startServer(loaded, {
      logger: createLogger({ level: 'info', destination }),
      reloadOnSighup: false,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.mcp === undefined ? {} : { mcp: options.mcp }),
    });
  } catch (error) {
    await workspace.cleanup();
    throw error;
  }
  const secrets = new Map<string, string>();
  const secret = async (agent: string): Promise<string> => {
    let value = secrets.get(agent);
    if (value === undefined) {
      value = (await server.warden.agents.rotateSecret(agent, 'test')).secret;
      secrets.set(agent, value);
    }
    return value;
  };
  return {
    workspace,
    server,
    url: server.url,
    logs,
    secret,
    async token(agent) {
      const response = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: agent,
          client_secret: await secret(agent),
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (body.access_token === undefined) throw new Error(`no token for ${agent}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      try {
        await server.stop('test finished');
      } finally {
        await workspace.cleanup();
      }
    },
  };
}

export interface Connected {
  client: Client;
  transport: StreamableHTTPClientTransport;
  close: () => Promise<void>;
}

/** Connects the official SDK client to `<url>/mcp` with a bearer token. */
export async function connectClient(url: string, token: string, name = 'warden-test'): Promise<Connected> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    transport,
    close: async () => {
      await client.close().catch(() => undefined);
    },
  };
}

/** The JSON-RPC initialize request body. */
export function initializeBody(id: number | string = 1): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
}

/** Headers a Streamable HTTP POST needs. */
export function postHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...extra,
  };
}

/** Polls `probe` until it returns a value other than undefined, failing after the deadline. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  describe: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
