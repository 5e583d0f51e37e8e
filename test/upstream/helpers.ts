/** Shared helpers for the upstream catalog tests: configs, a memory logger, polling, process checks. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/index.js';
import type { ResolvedConfig } from '../../src/config/index.js';
import { isWardenError } from '../../src/core/index.js';
import type { ErrorCode } from '../../src/core/index.js';
import type { UpstreamCatalog, UpstreamLogger } from '../../src/upstream/index.js';

export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
export const FIXTURE = fileURLToPath(new URL('./fixtures/fixture-server.js', import.meta.url));
export const NODE = process.execPath;

/** Servers as the config loader produces them: validated, with defaults applied. */
export function servers(raw: Record<string, unknown>): ResolvedConfig['servers'] {
  return configSchema.parse({ version: 1, servers: raw }).servers;
}

/** Tool declarations with defaults, for the given names. */
export function declare(...names: string[]): Record<string, object> {
  return Object.fromEntries(names.map((name) => [name, {}]));
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps every line, for assertions. */
export class MemoryLogger implements UpstreamLogger {
  readonly lines: LogLine[] = [];
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', fields: fields as Record<string, unknown>, message });
  }
  matching(level: LogLine['level'], pattern: RegExp): LogLine[] {
    return this.lines.filter((line) => line.level === level && pattern.test(line.message));
  }
}

/** Polls `check` every 10 ms until it returns something truthy, failing after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/** Resolves on the catalog's next tools-changed event. */
export function nextToolsChange(catalog: UpstreamCatalog): Promise<void> {
  return new Promise((resolve) => {
    const stop = catalog.onToolsChanged(() => {
      stop();
      resolve();
    });
  });
}

export function stateOf(catalog: UpstreamCatalog, server: string): string | undefined {
  return catalog.status().find((status) => status.server === server)?.state;
}

export function statusOf(catalog: UpstreamCatalog, server: string) {
  const status = catalog.status().find((entry) => entry.server === server);
  assert.ok(status, `no status for ${server}`);
  return status;
}

/** True once no process with this id exists. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Asserts that `promise` rejects with a WardenError of `code` whose message matches `message`. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: RegExp) {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(isWardenError(caught), `expected a WardenError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

export function textOf(result: { content?: unknown }): string {
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

export interface MailProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts examples/servers/mail.js over HTTP and waits for the line saying where it listens. */
export async function startMailHttp(args: string[]): Promise<MailProcess> {
  const child = spawn(NODE, [`${EXAMPLES_DIR}servers/mail.js`, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`mail.js exited with ${code}: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
