/** `warden audit ...`: verify the chain, tail and export entries, prune old checkpointed segments. */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { Option } from 'commander';
import { exportAuditEntries, followAudit, pruneAuditLog, verifyAuditLog } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import type { AuditEntryRecord } from '../store/index.js';
import type { CommandContext } from './program.js';

export function registerAuditCommands(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
): void {
  const { output } = context;
  const audit = program.command('audit').description('the tamper-evident audit log');

  audit
    .command('verify')
    .description('check every hash link and checkpoint signature; names the first bad seq')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const report = await verifyAuditLog({
          store: warden.store.audit,
          verifier: warden.keys.checkpointVerifier(),
        });
        if (options.json === true) {
          output.json(report);
        } else if (report.ok) {
          output.line(
            `audit log OK: ${report.entries} entries (seq ${report.firstSeq ?? '-'}..${report.lastSeq ?? '-'}), ` +
              `${report.checkpoints} signed checkpoints` +
              (report.lastCheckpoint
                ? `, last at seq ${report.lastCheckpoint.seq} (${report.lastCheckpoint.time})`
                : '') +
              (report.unsignedTail > 0
                ? `; ${report.unsignedTail} newest entries not yet under a checkpoint`
                : '') +
              (report.prunedThrough !== null ? `; pruned through seq ${report.prunedThrough}` : ''),
          );
        } else if (report.failure) {
          output.error(
            `audit log BROKEN at seq ${report.failure.seq} (${report.failure.problem}): ${report.failure.message}`,
          );
        }
        if (!report.ok) setExitCode(1);
      });
    });

  audit
    .command('tail')
    .description('print the newest entries; -f keeps following')
    .option('-n, --lines <count>', 'how many of the newest entries to print', parseCount, 20)
    .option('-f, --follow', 'keep printing new entries until interrupted')
    .option('--json', 'print one JSON entry per line')
    .action(async (options: { lines: number; follow?: boolean; json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const print = (entry: AuditEntryRecord): void => {
          output.line(options.json === true ? JSON.stringify(entry) : formatEntry(entry));
        };
        const newest = await warden.store.audit.query({ order: 'desc', limit: options.lines });
        newest.reverse().forEach(print);
        if (options.follow !== true) return;
        const head = await warden.store.audit.head();
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          await followAudit({
            store: warden.store.audit,
            fromSeq: head.seq + 1,
            signal: controller.signal,
            onEntry: print,
            pollIntervalMs: 500,
          });
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
    });

  audit
    .command('export')
    .description('write entries as JSON lines, with hashes, for archiving or outside verification')
    .option('--since <time>', 'from this time (ISO-8601 date or date-time)', parseTime)
    .option('--until <time>', 'before this time (ISO-8601)', parseTime)
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl']).default('jsonl'))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (options: { since?: string; until?: string; output?: string }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const stream = options.output === undefined ? null : await openExportFile(options.output);
        let count = 0;
        await exportAuditEntries({
          store: warden.store.audit,
          ...(options.since === undefined ? {} : { since: options.since }),
          ...(options.until === undefined ? {} : { until: options.until }),
          write: async (line: string) => {
            count += 1;
            if (stream === null) {
              output.line(line);
            } else if (!stream.write(`${line}\n`)) {
              await once(stream, 'drain');
            }
          },
        });
        if (stream !== null) {
          stream.end();
          await once(stream, 'finish');
          output.error(`exported ${count} entries to ${options.output}`);
        }
      });
    });

  audit
    .command('prune')
    .description('remove whole checkpointed segments older than a date; what remains still verifies')
    .requiredOption('--before <date>', 'remove entries older than this (ISO-8601)', parseTime)
    .action(async (options: { before: string }) => {
      await context.withWarden({ sync: true }, async (warden) => {
        const result = await pruneAuditLog({
          store: warden.store.audit,
          log: warden.audit,
          before: options.before,
          actor: context.actor,
          verifier: warden.keys.checkpointVerifier(),
          clock: warden.clock,
        });
        if (result.removed === 0) {
          output.line(`nothing to prune: no whole checkpointed segment ends before ${options.before}`);
        } else {
          output.line(`pruned ${result.removed} entries (through seq ${result.throughSeq ?? '-'})`);
        }
      });
    });
}

/** Opens a new file for an export; never overwrites one (an export is evidence). */
async function openExportFile(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  try {
    await once(stream, 'open');
    return stream;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WardenError(
      'WARDEN_USAGE',
      code === 'EEXIST'
        ? `${path} already exists; exports never overwrite a file, so choose a new path`
        : `cannot create ${path} (${code ?? 'error'}); check the directory exists and is writable`,
    );
  }
}

function formatEntry(entry: AuditEntryRecord): string {
  const parts = [
    String(entry.seq).padStart(6),
    entry.time,
    entry.type,
    entry.actor,
    entry.subject ?? '-',
    entry.decision ?? '',
    entry.policyIds.length > 0 ? `[${entry.policyIds.join(',')}]` : '',
    Object.keys(entry.detail).length > 0 ? JSON.stringify(entry.detail) : '',
  ];
  return parts.filter((part) => part !== '').join('  ');
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 10000) {
    throw new WardenError('WARDEN_USAGE', `--lines must be a whole number from 0 to 10000, not "${value}"`);
  }
  return count;
}

/** ISO-8601 dates and date-times; a date-time without an offset is read as UTC, like a bare date. */
function parseTime(value: string): string {
  const hasTime = /T\d{2}:\d{2}/.test(value);
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const time = new Date(hasTime && !hasOffset ? `${value}Z` : value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new WardenError(
      'WARDEN_USAGE',
      `"${value}" is not an ISO-8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`,
    );
  }
  return time.toISOString();
}
