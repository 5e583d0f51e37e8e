/**
 * Builds the SDK transport for one upstream. A stdio child gets only a minimal safe environment plus
 * what the config gives it (never Warden's own secrets); an HTTP upstream's replies are size-capped.
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ServerConfig } from '../config/index.js';

/** Variables a stdio upstream inherits from Warden's environment; everything else must be configured. */
export const INHERITED_ENV_VARIABLES = ['PATH', 'HOME', 'LANG'] as const;

/** Extra room over `maxResultBytes` on the wire: the JSON-RPC envelope and escaping (\uXXXX) of the result. */
export function wireLimit(maxResultBytes: number): number {
  return 4 * maxResultBytes + 64 * 1024;
}

/** A reply from an HTTP upstream that is larger than Warden reads. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limit: number) {
    super(`the upstream's HTTP reply is larger than ${limit} bytes, so Warden stopped reading it`);
  }
}

export type UpstreamTransport =
  | { kind: 'stdio'; transport: StdioClientTransport; stderr: Readable | null }
  | { kind: 'http'; transport: StreamableHTTPClientTransport };

/**
 * The environment of a stdio upstream: PATH, HOME and LANG from `source`, overridden and extended by
 * the server's configured `env`. (The SDK also passes its own short list: HOME, LOGNAME, PATH,
 * SHELL, TERM, USER.) Nothing else of Warden's environment, such as WARDEN_MASTER_KEY, reaches it.
 */
export function childEnvironment(
  configured: Record<string, string>,
  source: NodeJS.ProcessEnv,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_VARIABLES) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...configured };
}

/**
 * The working directory of a stdio upstream: `baseDir` (the config file's directory) by default, and a
 * relative `cwd` is taken from `baseDir`. Arguments are passed as written, so relative paths in them
 * are relative to that working directory.
 */
export function childWorkingDirectory(cwd: string | undefined, baseDir: string): string {
  if (cwd === undefined) return baseDir;
  return isAbsolute(cwd) ? cwd : resolvePath(baseDir, cwd);
}

/** Creates (does not start) the transport for one configured server. */
export function createTransport(
  config: ServerConfig,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): UpstreamTransport {
  if (config.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: childEnvironment(config.env, env),
      cwd: childWorkingDirectory(config.cwd, baseDir),
      stderr: 'pipe',
      // A result over maxResultBytes is refused cleanly; only a far larger line resets the connection.
      maxBufferSize: Math.max(16 * 1024 * 1024, wireLimit(config.maxResultBytes)),
    });
    return { kind: 'stdio', transport, stderr: transport.stderr as Readable | null };
  }
  const transport = new StreamableHTTPClientTransport(new URL(config.url), {
    requestInit: { headers: config.headers },
    fetch: cappedFetch(wireLimit(config.maxResultBytes)),
  });
  return { kind: 'http', transport };
}

/** `fetch` for the SDK's HTTP transport: caps each POST reply (one JSON-RPC answer) at `limit` bytes. */
function cappedFetch(limit: number): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (init?.method !== 'POST' || response.body === null) return response;
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > limit) {
      await response.body.cancel();
      throw new ResponseTooLargeError(limit);
    }
    return new Response(limitBody(response.body, limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function limitBody(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new ResponseTooLargeError(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
}
