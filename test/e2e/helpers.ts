/** Helpers for end-to-end tests: temp configs, a real `warden serve` child process, polling. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'main.ts');

export interface TempWorkspace {
  dir: string;
  configPath: string;
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Extra YAML appended at top level (must not repeat keys below). */
  extraYaml?: string;
  /** YAML for the store section (indented under `store:`); sqlite in the workspace by default. */
  storeYaml?: string;
  logLevel?: string;
  checkpointEvery?: number;
}

/** Writes a small, valid warden.yaml in a fresh temp dir. */
export async function makeWorkspace(options: WorkspaceOptions = {}): Promise<TempWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-e2e-'));
  const configPath = join(dir, 'warden.yaml');
  const storeYaml = options.storeYaml ?? `  driver: sqlite\n  sqlite:\n    path: ${join(dir, 'warden.db')}\n`;
  await writeFile(
    configPath,
    [
      'version: 1',
      'server:',
      '  host: 127.0.0.1',
      '  port: 0',
      '  publicUrl: http://127.0.0.1:8787',
      '  drainTimeout: 10',
      'logging:',
      `  level: ${options.logLevel ?? 'info'}`,
      'store:',
      storeYaml.trimEnd(),
      'secrets:',
      `  masterKeyFile: ${join(dir, 'master.key')}`,
      'audit:',
      `  checkpointEvery: ${options.checkpointEvery ?? 50}`,
      '  checkpointInterval: 60',
      'roles:',
      '  support: {}',
      '  finance: {}',
      'agents:',
      '  support-bot:',
      '    owner: lan.nguyen@example.com',
      '    roles: [support]',
      '    clearance: confidential',
      '  finance-bot:',
      '    owner: minh.tran@example.com',
      '    roles: [finance]',
      '    clearance: restricted',
      options.extraYaml ?? '',
    ].join('\n'),
  );
  return { dir, configPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface WardenProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Runs `warden <args>` with tsx (no build needed) and collects its output. */
export function spawnWarden(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output(): string; exited: Promise<number | string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown'));
  });
  return { child, output: () => output, exited };
}

/** Starts `warden serve` on a free port and waits until it logs that it is listening. */
export async function startWarden(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<WardenProcess> {
  const spawned = spawnWarden(['serve', '--config', configPath, '--port', '0'], env);
  const url = await waitFor(
    () => {
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"warden listening"/.exec(spawned.output());
      return match?.[1];
    },
    {
      timeoutMs: 30_000,
      describe: () => `warden to listen; output so far:\n${spawned.output()}`,
      abortOn: spawned.exited,
    },
  );
  return { ...spawned, url };
}

/** Polls `probe` until it returns a value other than undefined, or fails after the deadline. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    describe?: () => string;
    abortOn?: Promise<unknown>;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let aborted: string | undefined;
  void options.abortOn?.then((value) => {
    aborted = JSON.stringify(value);
  });
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (aborted !== undefined) {
      throw new Error(
        `gave up waiting for ${options.describe?.() ?? 'a condition'}: the process exited (${aborted})`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.describe?.() ?? 'a condition'}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, options.intervalMs ?? 25));
  }
}

/** Runs a CLI command to completion and returns its exit code and output. */
export async function runWarden(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | string; output: string }> {
  const spawned = spawnWarden(args, env);
  const code = await spawned.exited;
  return { code, output: spawned.output() };
}

/** Requests a token with client_secret_post (form body). */
export async function requestToken(url: string, clientId: string, clientSecret: string): Promise<Response> {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
}
