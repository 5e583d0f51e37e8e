/**
 * Helpers for the console's browser tests: a fresh build of the console, a real `warden serve` on the
 * example configuration (temp copy, demo upstreams), Debian's Chromium through playwright-core, and
 * screenshots.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT, spawnWarden, waitFor } from '../e2e/helpers.js';
import { freePort } from '../fronts/mcp/helpers.js';

/** Debian's Chromium (`apt-get install chromium`); the browser tests skip without it. */
export const CHROMIUM = process.env.WARDEN_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test', 'browser', 'artifacts');
export const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

/** The demo admin users and their demo passwords (examples/secrets/admin-*.password). */
export const DEMO_ADMINS = {
  admin: { name: 'security-officer', password: 'demo-admin-password' },
  approver: { name: 'bao', password: 'demo-approver-password' },
  auditor: { name: 'an', password: 'demo-auditor-password' },
} as const;

export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM)
    ? false
    : `${CHROMIUM} is not installed (apt-get install chromium); the console's browser tests need it`;
}

/** Builds the console into dist/console with Vite, as `npm run build` does. */
export async function buildConsole(): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${output}`);
}

export interface ConsoleServer {
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `warden serve` on a temp copy of examples/warden.yaml (policies and demo secrets included),
 * with the demo mail server on a free port and publicUrl naming the real address (the console's
 * cookie requests must come from Warden's own origin).
 */
export async function startConsoleServer(): Promise<ConsoleServer> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-console-'));
  const servers = join(REPO_ROOT, 'examples', 'servers');
  const mail: ChildProcess = spawn(
    process.execPath,
    [
      join(servers, 'mail.js'),
      '--http',
      '0',
      '--token-file',
      join(REPO_ROOT, 'examples', 'secrets', 'mail-token'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let mailLog = '';
  mail.stderr?.setEncoding('utf8').on('data', (chunk: string) => (mailLog += chunk));
  const stopMail = async (): Promise<void> => {
    if (mail.exitCode !== null || mail.signalCode !== null) return;
    const exited = new Promise((resolve) => mail.once('exit', resolve));
    mail.kill('SIGTERM');
    await exited;
  };
  try {
    const mailUrl = await waitFor(() => /listening on (http:\/\/\S+\/mcp)/.exec(mailLog)?.[1], {
      describe: () => `the demo mail server; output: ${mailLog}`,
    });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let config = await readFile(join(REPO_ROOT, 'examples', 'warden.yaml'), 'utf8');
    config = config
      .replace(
        /args: \[servers\/(\w+)\.js\]/g,
        (_match, name: string) => `args: [${JSON.stringify(join(servers, `${name}.js`))}]`,
      )
      .replace('http://127.0.0.1:9101/mcp', mailUrl)
      .replace(/^ {2}port: 8787$/m, `  port: ${port}\n  publicUrl: ${url}`);
    if (!config.includes(`publicUrl: ${url}`))
      throw new Error('could not set the port in the example config');
    await writeFile(join(dir, 'warden.yaml'), config);
    await cp(join(REPO_ROOT, 'examples', 'policies'), join(dir, 'policies'), { recursive: true });
    await cp(join(REPO_ROOT, 'examples', 'secrets'), join(dir, 'secrets'), { recursive: true });

    const server = spawnWarden(['serve', '--config', join(dir, 'warden.yaml')]);
    await waitFor(() => (/"msg":"warden listening"/.test(server.output()) ? true : undefined), {
      timeoutMs: 30_000,
      describe: () => `warden to listen; output so far:\n${server.output()}`,
      abortOn: server.exited,
    });
    return {
      url,
      dir,
      output: () => server.output(),
      stop: async () => {
        if (server.child.exitCode === null && server.child.signalCode === null) {
          server.child.kill('SIGTERM');
          await server.exited;
        }
        await stopMail();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopMail();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/** Signs in on the console's sign-in page and waits until the user's name shows in the header. */
export async function signIn(
  page: Page,
  url: string,
  user: { name: string; password: string },
): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-name').filter({ hasText: user.name }).waitFor();
}

/**
 * Saves a full-page screenshot to test/browser/artifacts/NAME.png; with WARDEN_UPDATE_SCREENSHOTS=1
 * also to docs/screenshots/NAME.png (the README's pictures).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  if (process.env.WARDEN_UPDATE_SCREENSHOTS === '1') {
    await mkdir(SCREENSHOTS, { recursive: true });
    await copyFile(path, join(SCREENSHOTS, `${name}.png`));
  }
}
