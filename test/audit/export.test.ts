import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeEntryHash, exportAuditEntries, followAudit } from '../../src/audit/index.js';
import type { AuditEntryRecord } from '../../src/store/index.js';
import { GENESIS_HASH } from '../../src/store/index.js';
import { ENGINES, makeLog, waitFor } from './helpers.js';

for (const engine of ENGINES) {
  describe(`audit export and follow on ${engine.name}`, { skip: engine.skip }, () => {
    async function setUp() {
      const fixture = await engine.make();
      const context = makeLog(fixture.store.audit, { checkpointEvery: 4 });
      const entries: AuditEntryRecord[] = [];
      for (let index = 0; index < 12; index += 1) {
        context.clock.advance(60_000);
        entries.push(
          await context.log.record({
            type: index % 3 === 0 ? 'agent-suspended' : 'tool-call-allowed',
            actor: 'admin:alice',
            session: index % 2 === 0 ? `ses_${index}` : null,
            subject: `agent:bot-${index}`,
            decision: index % 2 === 0 ? 'allow' : null,
            policyIds: index % 2 === 0 ? ['p1', 'p2'] : [],
            detail: {
              index,
              nested: { list: [1, 'two', null, true], text: 'é ✓ 𝄞' },
              client_secret: 'wsec_zzzzzzzzzz',
            },
          }),
        );
      }
      return { fixture, ...context, entries };
    }

    test('export writes one JSON line per entry that round-trips and re-verifies outside Warden', async () => {
      const { fixture, entries } = await setUp();
      try {
        const lines: string[] = [];
        const result = await exportAuditEntries({
          store: fixture.store.audit,
          write: (line) => void lines.push(line),
          pageSize: 5,
        });
        assert.deepEqual(result, { entries: 12, firstSeq: 1, lastSeq: 12 });
        assert.equal(lines.length, 12);
        let previous = GENESIS_HASH;
        lines.forEach((line, index) => {
          assert.equal(line.includes('\n'), false);
          const parsed = JSON.parse(line) as AuditEntryRecord;
          assert.deepEqual(parsed, entries[index]);
          assert.deepEqual(Object.keys(parsed), [
            'seq',
            'time',
            'type',
            'actor',
            'session',
            'subject',
            'decision',
            'policyIds',
            'detail',
            'detailDigest',
            'prevHash',
            'hash',
          ]);
          const { hash, ...unhashed } = parsed;
          assert.equal(computeEntryHash(unhashed), hash);
          assert.equal(parsed.prevHash, previous);
          previous = hash;
        });
        assert.equal(
          lines.join('\n').includes('wsec_zzzzzzzzzz'),
          false,
          'the export holds the redacted detail only',
        );
      } finally {
        await fixture.cleanup();
      }
    });

    test('export filters by time (since inclusive, until exclusive) and by type', async () => {
      const { fixture, entries } = await setUp();
      try {
        const seqs = async (options: {
          since?: string;
          until?: string;
          types?: string[];
        }): Promise<number[]> => {
          const lines: string[] = [];
          await exportAuditEntries({
            store: fixture.store.audit,
            ...options,
            write: (line) => void lines.push(line),
            pageSize: 2,
          });
          return lines.map((line) => (JSON.parse(line) as AuditEntryRecord).seq);
        };
        assert.deepEqual(await seqs({ since: entries[2]!.time, until: entries[5]!.time }), [3, 4, 5]);
        assert.deepEqual(await seqs({ since: entries[10]!.time }), [11, 12]);
        assert.deepEqual(await seqs({ types: ['agent-suspended'] }), [1, 4, 7, 10]);
        assert.deepEqual(await seqs({ since: '2026-03-01', until: '2026-03-01T10:03:00Z' }), [1, 2]);
        assert.deepEqual(await seqs({ since: '2030-01-01' }), []);
      } finally {
        await fixture.cleanup();
      }
    });

    test('export awaits each write, so a slow sink gets the lines in order', async () => {
      const { fixture } = await setUp();
      try {
        const lines: number[] = [];
        await exportAuditEntries({
          store: fixture.store.audit,
          pageSize: 3,
          write: async (line) => {
            await new Promise((resolve) => setImmediate(resolve));
            lines.push((JSON.parse(line) as AuditEntryRecord).seq);
          },
        });
        assert.deepEqual(
          lines,
          Array.from({ length: 12 }, (_, index) => index + 1),
        );
      } finally {
        await fixture.cleanup();
      }
    });

    test('export refuses a since or until that is not a date', async () => {
      const { fixture } = await setUp();
      try {
        await assert.rejects(
          exportAuditEntries({ store: fixture.store.audit, since: 'yesterday', write: () => undefined }),
          {
            code: 'WARDEN_USAGE',
            message: /since "yesterday" is not an ISO-8601 date or date-time/,
          },
        );
        await assert.rejects(
          exportAuditEntries({ store: fixture.store.audit, until: '2026-13-45', write: () => undefined }),
          {
            code: 'WARDEN_USAGE',
            message: /until "2026-13-45"/,
          },
        );
      } finally {
        await fixture.cleanup();
      }
    });

    test('followAudit delivers new entries in order and stops on abort', async () => {
      const { fixture, log } = await setUp();
      try {
        const head = await fixture.store.audit.head();
        const seen: number[] = [];
        const controller = new AbortController();
        const following = followAudit({
          store: fixture.store.audit,
          fromSeq: head.seq + 1,
          signal: controller.signal,
          onEntry: (entry) => void seen.push(entry.seq),
          pollIntervalMs: 10,
          pageSize: 2,
        });
        await log.record({ type: 'tool-call-allowed', actor: 'agent:a' });
        await waitFor(() => seen.length === 1, 5000, 'the first new entry');
        await Promise.all(
          Array.from({ length: 4 }, () => log.record({ type: 'tool-call-allowed', actor: 'agent:a' })),
        );
        await waitFor(() => seen.length === 5, 5000, 'four more entries');
        assert.deepEqual(seen, [13, 14, 15, 16, 17]);
        controller.abort();
        assert.deepEqual(await following, { nextSeq: 18 });
        await log.record({ type: 'tool-call-allowed', actor: 'agent:a' });
        assert.equal(seen.length, 5, 'nothing is delivered after abort');
      } finally {
        await fixture.cleanup();
      }
    });

    test('followAudit from an earlier seq first catches up, and an abort during the pause ends it at once', async () => {
      const { fixture } = await setUp();
      try {
        const seen: number[] = [];
        const controller = new AbortController();
        const following = followAudit({
          store: fixture.store.audit,
          fromSeq: 9,
          signal: controller.signal,
          onEntry: (entry) => void seen.push(entry.seq),
          pollIntervalMs: 600_000,
        });
        await waitFor(() => seen.length === 4, 5000, 'the catch-up');
        assert.deepEqual(seen, [9, 10, 11, 12]);
        const started = Date.now();
        controller.abort();
        assert.deepEqual(await following, { nextSeq: 13 });
        assert.ok(Date.now() - started < 1000, 'the pause ended on abort');
      } finally {
        await fixture.cleanup();
      }
    });

    test('followAudit rejects when onEntry fails', async () => {
      const { fixture } = await setUp();
      try {
        const controller = new AbortController();
        await assert.rejects(
          followAudit({
            store: fixture.store.audit,
            fromSeq: 1,
            signal: controller.signal,
            onEntry: () => {
              throw new Error('output closed');
            },
            pollIntervalMs: 10,
          }),
          /output closed/,
        );
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
