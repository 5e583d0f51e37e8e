/**
 * Reading the audit log out: JSON-lines export of full entries (hashes included, so an auditor can
 * re-verify the chain outside Warden) and a follower for `warden audit tail -f`. Both read in pages.
 */
import { WardenError } from '../core/index.js';
import type { AuditEntryRecord, AuditStore } from '../store/index.js';
import { hashedFields } from './canonical.js';

const DEFAULT_PAGE_SIZE = 1000;

export interface ExportAuditEntriesOptions {
  store: AuditStore;
  /** Entries at or after this time (ISO-8601). */
  since?: string;
  /** Entries before this time (ISO-8601, exclusive). */
  until?: string;
  /** Only these event types. */
  types?: string[];
  /** Receives one JSON line per entry (without a newline); awaited, so a slow sink applies back-pressure. */
  write: (line: string) => void | Promise<void>;
  /** Entries read per query. Default 1000. */
  pageSize?: number;
}

export interface ExportAuditEntriesResult {
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

/** One entry as an export line: every stored field, in a fixed order. */
export function auditEntryToJsonLine(entry: AuditEntryRecord): string {
  return JSON.stringify({ ...hashedFields(entry), hash: entry.hash });
}

function normalizeTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new WardenError(
      'WARDEN_USAGE',
      `${name} "${value}" is not an ISO-8601 date or date-time, e.g. 2026-01-31T12:00:00Z.`,
    );
  }
  return time.toISOString();
}

/**
 * Writes the entries matching the filters, in ascending seq, one JSON line each (the full record
 * including detailDigest, prevHash and hash; recompute hashes with computeEntryHash to re-verify).
 *
 * @example
 * await exportAuditEntries({ store: store.audit, since: '2026-01-01', write: (line) => out.write(line + '\n') });
 */
export async function exportAuditEntries(
  options: ExportAuditEntriesOptions,
): Promise<ExportAuditEntriesResult> {
  const { store, write } = options;
  const sinceTime = normalizeTime(options.since, 'since');
  const beforeTime = normalizeTime(options.until, 'until');
  const pageSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), 10_000);
  let entries = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  let fromSeq = 1;
  for (;;) {
    const page = await store.query({
      fromSeq,
      order: 'asc',
      limit: pageSize,
      ...(sinceTime === undefined ? {} : { sinceTime }),
      ...(beforeTime === undefined ? {} : { beforeTime }),
      ...(options.types === undefined ? {} : { types: options.types }),
    });
    for (const entry of page) {
      await write(auditEntryToJsonLine(entry));
      entries += 1;
      firstSeq ??= entry.seq;
      lastSeq = entry.seq;
    }
    const last = page[page.length - 1];
    if (last === undefined || page.length < pageSize) break;
    fromSeq = last.seq + 1;
  }
  return { entries, firstSeq, lastSeq };
}

export interface FollowAuditOptions {
  store: AuditStore;
  /** The first seq to deliver (usually head.seq + 1). */
  fromSeq: number;
  /** Stops following when aborted; followAudit then resolves. */
  signal: AbortSignal;
  /** Called for each new entry, in seq order; awaited. */
  onEntry: (entry: AuditEntryRecord) => void | Promise<void>;
  /** Pause between polls that found nothing new. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Entries read per query. Default 1000. */
  pageSize?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Delivers entries from `fromSeq` on as they are appended, polling the store (with a pause after
 * each poll that found nothing new) until `signal` aborts. Resolves with the next seq it would have
 * delivered; rejects if the store or `onEntry` fails.
 *
 * @example
 * const controller = new AbortController();
 * await followAudit({ store: store.audit, fromSeq: (await store.audit.head()).seq + 1, signal: controller.signal, onEntry: print });
 */
export async function followAudit(options: FollowAuditOptions): Promise<{ nextSeq: number }> {
  const { store, signal, onEntry } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const pageSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), 10_000);
  let nextSeq = Math.max(1, Math.floor(options.fromSeq));
  while (!signal.aborted) {
    const page = await store.query({ fromSeq: nextSeq, order: 'asc', limit: pageSize });
    for (const entry of page) {
      if (signal.aborted) break;
      await onEntry(entry);
      nextSeq = entry.seq + 1;
    }
    if (page.length < pageSize) await pause(pollIntervalMs, signal);
  }
  return { nextSeq };
}
