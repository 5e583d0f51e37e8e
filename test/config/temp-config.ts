/** Test helper: configuration files in a fresh temporary directory, removed after the test. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { WardenError } from '../../src/core/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { LoadConfigOptions } from '../../src/config/index.js';

/** A minimal valid configuration to build test files from. */
export const MINIMAL = `version: 1
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: internal
`;

/** A temporary directory, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (relative path → content) into a temporary directory; returns the directory. */
export async function writeFiles(t: TestContext, files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir(t);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** Writes `text` as warden.yaml in a temporary directory and returns its path. */
export async function writeConfig(t: TestContext, text: string): Promise<string> {
  const dir = await writeFiles(t, { 'warden.yaml': text });
  return join(dir, 'warden.yaml');
}

/** Loads a configuration that must fail, and returns the WardenError it failed with. */
export async function loadError(options: LoadConfigOptions): Promise<WardenError> {
  try {
    await loadConfig({ env: {}, ...options });
  } catch (error) {
    if (error instanceof WardenError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail, but it succeeded');
}

/** The issues of a WARDEN_CONFIG_INVALID error. */
export function issuesOf(
  error: WardenError,
): { line: number; column: number; path: string; message: string }[] {
  return error.details.issues as { line: number; column: number; path: string; message: string }[];
}
