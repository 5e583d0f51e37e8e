/**
 * `warden incident capture|verify|keys` in-process on a real workspace: input validation (--since,
 * --out without --force), a bundle that is only intact without pinned keys (exit code 3) and verifies
 * against the keys `incident keys` prints (exit code 0), a tampered bundle that fails with exit code 1
 * naming the entry, and no secret value in the bundle.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSince } from '../../src/cli/incident.js';
import { makeGatewayWorkspace } from '../pipeline/harness.js';
import type { GatewayWorkspace } from '../pipeline/harness.js';
import { runCli } from '../cli/run-in-process.js';
import type { CliResult } from '../cli/run-in-process.js';

const SECRET = 'secret-bot-client-secret-0123456789abcdef';
const ENV = { SECRET_BOT_SECRET: SECRET };

async function warden(workspace: GatewayWorkspace, ...args: string[]): Promise<CliResult> {
  return runCli([...args, '--config', workspace.configPath], ENV);
}

describe('warden incident (CLI)', () => {
  let workspace: GatewayWorkspace;
  let bundlePath: string;
  before(async () => {
    workspace = await makeGatewayWorkspace({
      extraAgentsYaml:
        '  secret-bot:\n    owner: ops@example.com\n    roles: [support]\n    clearance: internal\n    secret: ${env:SECRET_BOT_SECRET}\n',
    });
    bundlePath = join(workspace.dir, 'incident.json');
    // Creates the keys and the config agents, and some entries about secret-bot.
    const suspended = await warden(workspace, 'agents', 'suspend', 'secret-bot', '--reason', 'incident 42');
    assert.equal(suspended.code, 0, suspended.stderr);
  });
  after(async () => {
    await workspace.cleanup();
  });

  test('--since takes dates, zoned date-times and durations with a unit; anything else is a usage error', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    assert.equal(parseSince('24h', now), '2026-02-28T12:00:00.000Z');
    assert.equal(parseSince('90m', now), '2026-03-01T10:30:00.000Z');
    assert.equal(parseSince('7d', now), '2026-02-22T12:00:00.000Z');
    assert.equal(parseSince('2026-02-01', now), '2026-02-01T00:00:00.000Z', 'a plain date is UTC midnight');
    assert.equal(parseSince('2026-02-01T08:00:00+07:00', now), '2026-02-01T01:00:00.000Z');
    assert.equal(parseSince('2026-02-01T08:00Z', now), '2026-02-01T08:00:00.000Z');
    assert.throws(() => parseSince('3600', now), /no unit.*3600m/);
    assert.throws(() => parseSince('2026-02-01T08:00:00', now), /no time zone.*Z/);
    for (const bad of [
      'yesterday',
      '',
      '24x',
      '2026-13-45',
      '2026-02-30',
      '2027-01-01',
      '1.5h',
      '2026-02-01 08:00Z',
    ]) {
      assert.throws(
        () => parseSince(bad, now),
        (error: { code?: string }) => error.code === 'WARDEN_USAGE',
        bad,
      );
    }
  });

  test('capture writes a signed bundle with the secret reference, never the value; verify says OK', async () => {
    const bad = await warden(
      workspace,
      'incident',
      'capture',
      '--agent',
      'secret-bot',
      '--since',
      'last week',
      '--out',
      bundlePath,
    );
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /WARDEN_USAGE.*--since/);

    const captured = await warden(
      workspace,
      'incident',
      'capture',
      '--agent',
      'secret-bot',
      '--since',
      '1h',
      '--out',
      bundlePath,
    );
    assert.equal(captured.code, 0, captured.stderr);
    assert.match(captured.stdout, /wrote .*incident\.json/);
    const text = await readFile(bundlePath, 'utf8');
    assert.ok(!text.includes(SECRET), 'the resolved secret is not in the bundle');
    assert.ok(text.includes('${env:SECRET_BOT_SECRET}'), 'the secret reference is');
    assert.ok(!/scrypt\$/.test(text), 'no secret hash');

    const again = await warden(
      workspace,
      'incident',
      'capture',
      '--agent',
      'secret-bot',
      '--out',
      bundlePath,
    );
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists.*--force/);
    assert.equal(await readFile(bundlePath, 'utf8'), text, 'the existing bundle is untouched');

    // Without pinned keys the bundle is only intact: anyone can sign a bundle with keys of their own.
    const verified = await warden(workspace, 'incident', 'verify', bundlePath);
    assert.equal(verified.code, 3, verified.stderr);
    assert.match(verified.stdout, /checked bundle signature/);
    assert.match(
      verified.stdout,
      /INTACT BUT NOT AUTHENTICATED: signed by a key you did not pin \(pass --public-key/,
    );
    assert.doesNotMatch(verified.stdout, /bundle OK/);

    const keysPath = join(workspace.dir, 'keys.json');
    const keys = await warden(workspace, 'incident', 'keys');
    assert.equal(keys.code, 0, keys.stderr);
    await writeFile(keysPath, keys.stdout);
    const trusted = await warden(workspace, 'incident', 'verify', bundlePath, '--public-key', keysPath);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /against a trusted key/);
    assert.match(trusted.stdout, /bundle OK/);

    const otherKeyPath = join(workspace.dir, 'other-key.pem');
    await writeFile(
      otherKeyPath,
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    const wrongKey = await warden(workspace, 'incident', 'verify', bundlePath, '--public-key', otherKeyPath);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /FAILED signature: .*not among the trusted keys/);
    assert.match(wrongKey.stderr, /FAILED checkpoint:\d+: .*not among the trusted keys/);

    const unknown = await warden(
      workspace,
      'incident',
      'capture',
      '--agent',
      'nobody',
      '--out',
      join(workspace.dir, 'x.json'),
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /WARDEN_AGENT_NOT_FOUND/);
  });

  test('a tampered bundle fails verify with exit code 1, naming the entry', async () => {
    const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as {
      audit: { entries: { seq: number; type: string; detail: Record<string, unknown> }[] };
    };
    const target = bundle.audit.entries.find((entry) => entry.type === 'agent-suspended')!;
    target.detail.reason = 'nothing to see';
    const tamperedPath = join(workspace.dir, 'tampered.json');
    await writeFile(tamperedPath, JSON.stringify(bundle));
    const result = await warden(workspace, 'incident', 'verify', tamperedPath);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`FAILED entry:${target.seq}: audit entry ${target.seq} \\(agent-suspended\\) was changed`),
    );
    assert.match(result.stdout, /bundle BROKEN/);

    await writeFile(tamperedPath, '{"format":');
    const garbage = await warden(workspace, 'incident', 'verify', tamperedPath);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /WARDEN_INCIDENT_BUNDLE_INVALID/);
  });
});
