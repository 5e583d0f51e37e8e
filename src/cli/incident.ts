/**
 * `warden incident ...`: capture a signed bundle of what one agent did, verify a bundle offline, and
 * print the public audit keys an investigator can trust when verifying.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { WardenError } from '../core/index.js';
import {
  MAX_BUNDLE_BYTES,
  captureIncident,
  keyFingerprint,
  parseIncidentBundle,
  parseTrustedKeys,
  serializeIncidentBundle,
  verifyIncidentBundle,
} from '../incident/index.js';
import type { BundlePublicKey } from '../incident/index.js';
import type { CommandContext } from './program.js';

const DEFAULT_SINCE = '24h';
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** `warden incident verify` exit code for an intact bundle whose keys were not pinned with --public-key. */
export const EXIT_NOT_AUTHENTICATED = 3;
/** Printed when a bundle verified only against the keys it carries. */
export const NOT_AUTHENTICATED_LINE =
  'INTACT BUT NOT AUTHENTICATED: signed by a key you did not pin (pass --public-key, from `warden incident keys`)';

export function registerIncidentCommands(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
): void {
  const { output } = context;
  const incident = program.command('incident').description('capture and verify signed incident bundles');

  incident
    .command('capture')
    .description(
      "write a signed bundle of an agent's audit slice, sessions, pending approvals, config and policy",
    )
    .requiredOption('--agent <name>', 'the agent concerned')
    .option(
      '--since <time>',
      `ISO-8601 date (UTC) or date-time with Z or an offset, or a duration back from now with a unit: 90m, 24h, 7d (default ${DEFAULT_SINCE})`,
    )
    .requiredOption('--out <file>', 'where to write the bundle (JSON)')
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print a JSON summary')
    .action(
      async (options: { agent: string; since?: string; out: string; force?: boolean; json?: boolean }) => {
        const since = parseSince(options.since ?? DEFAULT_SINCE, Date.now());
        const out = resolve(options.out);
        if (options.force !== true && (await exists(out))) {
          throw new WardenError(
            'WARDEN_USAGE',
            `${options.out} exists; choose another --out or add --force to overwrite it`,
          );
        }
        await context.withWarden({ sync: false }, async (warden) => {
          const bundle = await captureIncident({
            store: warden.store,
            audit: warden.audit,
            keys: warden.keys,
            loaded: warden.loaded,
            clock: warden.clock,
            agent: options.agent,
            since,
            actor: context.actor,
            destination: out,
          });
          await writeAtomically(out, serializeIncidentBundle(bundle), options.force === true);
          const summary = {
            out,
            bundleId: bundle.manifest.bundleId,
            agent: bundle.manifest.agent,
            since,
            sliceEntries: bundle.manifest.slice.length,
            entries: bundle.audit.entries.length,
            checkpoints: bundle.audit.checkpoints.length,
            sessions: bundle.sessions.length,
            pendingApprovals: bundle.approvals.length,
            keyId: bundle.signature.keyId,
            keyFingerprint: keyFingerprint(bundle.signature.publicKey),
          };
          if (options.json === true) {
            output.json(summary);
            return;
          }
          output.line(`wrote ${out} (bundle ${summary.bundleId})`);
          output.line(
            `${summary.sliceEntries} audit entries about ${summary.agent} since ${since} (${summary.entries} with the links to ${summary.checkpoints} signed checkpoints), ${summary.sessions} sessions, ${summary.pendingApprovals} pending approvals`,
          );
          output.line(`signed with audit key ${summary.keyId} (fingerprint ${summary.keyFingerprint})`);
          output.line(`check it with \`warden incident verify ${options.out}\``);
        });
      },
    );

  incident
    .command('verify')
    .description('check a bundle: signature, every entry hash and link, checkpoint signatures, labels')
    .argument('<file>', 'the bundle')
    .option(
      '--public-key <file>',
      'public keys you trust (JWK, JWK set or PEM, from `warden incident keys`); the bundle and every checkpoint must be signed by them',
    )
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { publicKey?: string; json?: boolean }) => {
      const trustedKeys =
        options.publicKey === undefined ? undefined : await readTrustedKeys(options.publicKey);
      const bytes = await readBounded(file, MAX_BUNDLE_BYTES, 'bundle');
      const bundle = parseIncidentBundle(bytes);
      const report = verifyIncidentBundle(bundle, trustedKeys === undefined ? {} : { trustedKeys });
      if (options.json === true) {
        output.json(report);
      } else {
        output.line(
          `bundle ${bundle.manifest.bundleId}: agent ${bundle.manifest.agent}, since ${bundle.manifest.since}, captured ${bundle.manifest.capturedAt} by ${bundle.manifest.capturedBy}`,
        );
        for (const line of report.checked) output.line(`  checked ${line}`);
        output.line(`  signing key fingerprint ${report.signingKeyFingerprint}`);
        for (const failure of report.failures) output.error(`FAILED ${failure.subject}: ${failure.message}`);
        if (!report.ok) output.line(`bundle BROKEN: ${report.failures.length} problem(s)`);
        else if (report.trust === 'trusted-key') output.line('bundle OK');
        else output.line(NOT_AUTHENTICATED_LINE);
      }
      // 0 intact and signed by pinned keys, 1 broken, 3 intact but not authenticated.
      if (!report.ok) setExitCode(1);
      else if (report.trust !== 'trusted-key') setExitCode(EXIT_NOT_AUTHENTICATED);
    });

  incident
    .command('keys')
    .description('print the public audit keys (a JWK set) to verify bundles with --public-key')
    .action(async () => {
      await context.withWarden({ sync: false }, async (warden) => {
        const records = await warden.store.keys.list('audit');
        const keys: (BundlePublicKey & { fingerprint: string; status: string })[] = [];
        for (const record of records) {
          const jwk = JSON.parse(record.publicJwk) as { x: string };
          keys.push({
            kty: 'OKP',
            crv: 'Ed25519',
            x: jwk.x,
            kid: record.kid,
            alg: 'EdDSA',
            use: 'sig',
            fingerprint: keyFingerprint(jwk),
            status: record.status,
          });
        }
        output.json({ keys });
      });
    });
}

/** Units a `--since` duration may have, in seconds. */
const SINCE_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `--since`: a duration back from `now` with a unit (`90m`, `24h`, `7d`; also `s`, `w`), a date
 * (`2026-02-01`, UTC midnight), or a date-time with `Z` or an offset (`2026-02-01T08:00:00Z`,
 * `2026-02-01T08:00:00+07:00`). A bare number and a date-time without a zone are refused: they are
 * ambiguous (seconds or hours? local time of which machine?).
 *
 * @throws WARDEN_USAGE for anything else, or a time in the future.
 */
export function parseSince(value: string, now: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > 64) throw badSince(value);
  let time: number;
  const duration = /^(\d{1,9})([smhdw])$/.exec(text);
  if (duration !== null) {
    time = now - Number(duration[1]) * SINCE_UNITS[duration[2]!]! * 1000;
  } else if (/^\d+$/.test(text)) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--since ${text} has no unit; write the duration with one, such as ${text}m, ${text}h or ${text}d`,
    );
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    time = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isFinite(time) || new Date(time).toISOString().slice(0, 10) !== text) throw badSince(value);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(text)) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--since ${text} has no time zone; add Z for UTC (${text}Z) or an offset such as +02:00`,
    );
  } else {
    const match = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
    if (match === null) throw badSince(value);
    time = Date.parse(text);
    // Date.parse rolls some impossible dates over; the date part must be a real day.
    if (!Number.isFinite(time) || Number.isNaN(Date.parse(`${match[1]}T00:00:00Z`))) throw badSince(value);
    if (new Date(`${match[1]}T00:00:00Z`).toISOString().slice(0, 10) !== match[1]) throw badSince(value);
  }
  if (!Number.isFinite(time) || time < 0) throw badSince(value);
  if (time > now + 60_000) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--since ${text} is in the future; give a past time or a duration such as 24h`,
    );
  }
  return new Date(time).toISOString();
}

function badSince(value: string): WardenError {
  return new WardenError(
    'WARDEN_USAGE',
    `--since ${JSON.stringify(value.slice(0, 64))} is neither a date (2026-01-31, UTC), a date-time with a zone (2026-01-31T12:00:00Z, 2026-01-31T12:00:00+02:00) nor a duration with a unit (90m, 24h, 7d)`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `text` to a temporary file next to `path` (mode 0600), then renames it into place. */
async function writeAtomically(path: string, text: string, overwrite: boolean): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (!overwrite && (await exists(path))) {
      throw new WardenError(
        'WARDEN_USAGE',
        `${path} appeared while the bundle was written; add --force to overwrite it`,
      );
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function readBounded(path: string, limit: number, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new WardenError(
      'WARDEN_USAGE',
      `cannot read the ${what} file ${path}: it does not exist or is not readable`,
    );
  }
  if (size > limit) {
    throw new WardenError(
      'WARDEN_INCIDENT_BUNDLE_INVALID',
      `${path} is ${size} bytes, more than the ${limit} a ${what} may have`,
    );
  }
  return new Uint8Array(await readFile(path));
}

async function readTrustedKeys(path: string): Promise<BundlePublicKey[]> {
  const bytes = await readBounded(path, MAX_KEY_FILE_BYTES, 'public key');
  return parseTrustedKeys(Buffer.from(bytes).toString('utf8'));
}
