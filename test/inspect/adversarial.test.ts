/**
 * Hostile input for the real detectors and scorer: every scan either completes or fails closed with
 * WARDEN_INSPECTION_FAILED, within the time budget the scanner enforces. A regex that backtracks
 * catastrophically shows up here as a test that never returns.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { configSchema } from '../../src/config/index.js';
import type { ResolvedConfig } from '../../src/config/index.js';
import { ManualClock, isWardenError } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import {
  DEFAULT_SCAN_LIMITS,
  InspectionEngine,
  Scanner,
  TokenVault,
  createInjectionScorer,
  defaultDetectors,
} from '../../src/inspect/index.js';
import type { ScanLimits, ScanResult } from '../../src/inspect/index.js';

const scanner = new Scanner(defaultDetectors(), createInjectionScorer());

/** A small budget: each hostile scan must finish or give up within it. */
const BUDGET_MS = 250;

type Outcome = { kind: 'completed'; result: ScanResult } | { kind: 'failed-closed'; limit: unknown };

/** Runs `scan`, and asserts it either completed or failed closed with WARDEN_INSPECTION_FAILED. */
function outcomeOf(scan: () => ScanResult): Outcome {
  try {
    return { kind: 'completed', result: scan() };
  } catch (error) {
    assert.ok(isWardenError(error, 'WARDEN_INSPECTION_FAILED'), `unexpected ${String(error)}`);
    return { kind: 'failed-closed', limit: error.details.limit };
  }
}

function limits(overrides: Partial<ScanLimits>): { limits: Partial<ScanLimits> } {
  return { limits: { ...overrides } };
}

const HOSTILE: Record<string, () => string> = {
  "100k of 'a@'": () => 'a@'.repeat(100_000),
  "'1 ' x 100k": () => '1 '.repeat(100_000),
  "'((((' nesting": () => '('.repeat(200_000),
  "'x' x 1M then '!'": () => `${'x'.repeat(1_000_000)}!`,
  'long base64': () => randomBytes(750_000).toString('base64'),
  "'-----BEGIN ' x 100k": () => '-----BEGIN '.repeat(100_000),
  "'-----BEGIN RSA PRIVATE KEY-----' then 1M base64, no END": () =>
    `-----BEGIN RSA PRIVATE KEY-----\n${randomBytes(750_000).toString('base64')}`,
  'digits 1M': () => '9'.repeat(1_000_000),
  "'0-' x 200k": () => '0-'.repeat(200_000),
  "'+84 ' x 100k": () => '+84 '.repeat(100_000),
  "'a.' x 200k": () => 'a.'.repeat(200_000),
  "'a.b@' x 100k": () => 'a.b@'.repeat(100_000),
  "'https://' x 100k": () => 'https://'.repeat(100_000),
  "'https://a:b@' x 50k": () => 'https://a:b@'.repeat(50_000),
  "'postgres://' x 100k": () => 'postgres://'.repeat(100_000),
  "'eyJ' x 200k": () => 'eyJ'.repeat(200_000),
  "'eyJhbGciOi.' x 50k": () => 'eyJhbGciOi.'.repeat(50_000),
  "'AKIA' x 200k": () => 'AKIA'.repeat(200_000),
  "'ghp_' x 100k": () => 'ghp_'.repeat(100_000),
  "'sk-' x 200k": () => 'sk-'.repeat(200_000),
  "'::' x 200k": () => ':'.repeat(400_000),
  "'1.' x 200k": () => '1.'.repeat(200_000),
  "'password=' x 100k": () => 'password='.repeat(100_000),
  "'secret: \"' x 50k": () => 'secret: "'.repeat(50_000),
  'spaces 1M': () => ' '.repeat(1_000_000),
  'newlines 1M': () => '\n'.repeat(1_000_000),
  'zero-width 500k': () => '\u200B'.repeat(500_000),
  'bidi overrides 200k': () => '\u202E\u202D'.repeat(100_000),
  'combining marks 500k': () => `a${'\u0301'.repeat(500_000)}`,
  'Vietnamese text 100k words': () =>
    'Nguyễn Văn An, số 12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội '.repeat(10_000),
  "'Số CCCD: ' x 50k": () => 'Số CCCD: '.repeat(50_000),
  "'ignore previous instructions ' x 20k": () => 'ignore previous instructions '.repeat(20_000),
  "'<!-- ' x 100k": () => '<!-- '.repeat(100_000),
  "'[click](' x 50k": () => '[click]('.repeat(50_000),
  "'![](http://x/?q=' x 50k": () => '![](http://x/?q='.repeat(50_000),
  '\'{"name":"\' x 50k': () => '{"name":"'.repeat(50_000),
  'lone surrogates 500k': () => '\uD800\uDC00\uDFFF\uD800x'.repeat(100_000),
  'latin1 random bytes 1 MB': () => randomBytes(1_000_000).toString('latin1'),
  'utf-16 random code units 500k': () => randomBytes(1_000_000).toString('utf16le'),
};

describe('adversarial input against the default detectors and the injection scorer', () => {
  for (const [name, build] of Object.entries(HOSTILE)) {
    test(`${name}: completes or fails closed within a ${BUDGET_MS} ms budget`, (t: TestContext) => {
      const text = build();
      const outcome = outcomeOf(() => scanner.scanText(text, limits({ timeBudgetMs: BUDGET_MS })));
      if (outcome.kind === 'failed-closed') assert.equal(outcome.limit, 'timeBudgetMs');
      t.diagnostic(
        outcome.kind === 'completed'
          ? `completed in ${outcome.result.durationMs.toFixed(1)} ms, ${outcome.result.findings.length} findings`
          : 'failed closed on the time budget',
      );
    });
  }

  test('a string over maxStringLength fails closed; one just under completes', () => {
    const limit = 256 * 1024;
    const unit = 'Liên hệ lan.nguyen@example.com hoặc 0912 345 678. ';
    const under = unit.repeat(Math.ceil(limit / unit.length)).slice(0, limit);
    const over = `${under}x`;
    const failed = outcomeOf(() => scanner.scanValue({ text: over }, limits({ maxStringLength: limit })));
    assert.deepEqual(failed, { kind: 'failed-closed', limit: 'maxStringLength' });
    const completed = outcomeOf(() =>
      scanner.scanValue({ text: under }, limits({ maxStringLength: limit, timeBudgetMs: 30_000 })),
    );
    assert.equal(completed.kind, 'completed');
  });

  test('the default string limit refuses a string over 4 Mi characters before running any detector', () => {
    const huge = 'a@'.repeat(DEFAULT_SCAN_LIMITS.maxStringLength / 2 + 1);
    assert.deepEqual(
      outcomeOf(() => scanner.scanValue([huge])),
      { kind: 'failed-closed', limit: 'maxStringLength' },
    );
  });

  test('10,000 levels of nesting fail closed without a stack overflow', () => {
    let value: unknown = 'lan.nguyen@example.com';
    for (let level = 0; level < 10_000; level++) value = level % 2 === 0 ? [value] : { a: value };
    assert.deepEqual(
      outcomeOf(() => scanner.scanValue(value)),
      { kind: 'failed-closed', limit: 'maxDepth' },
    );
  });

  test('150,000 tiny strings fail closed on the string count or the budget', () => {
    const many = Array.from({ length: 150_000 }, () => 'a');
    const outcome = outcomeOf(() => scanner.scanValue(many, limits({ timeBudgetMs: BUDGET_MS })));
    assert.equal(outcome.kind, 'failed-closed');
  });

  test('random JSON values never make the scanner throw anything but WARDEN_INSPECTION_FAILED', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        outcomeOf(() => scanner.scanValue(value, limits({ timeBudgetMs: 1_000 })));
      }),
      { numRuns: 300 },
    );
  });

  test('random strings of any code units are scanned without crashing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 2_000 }),
        fc.string({ unit: 'grapheme', maxLength: 500 }),
        (a, b) => {
          outcomeOf(() =>
            scanner.scanText(`${a} lan.nguyen@example.com ${b}`, limits({ timeBudgetMs: 1_000 })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('whatever surrounds it, a masked email never reaches the output', () => {
    const engine = makeEngine();
    const email = 'lan.nguyen@example.com';
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (before, after) => {
        const separatorBefore = /[\w.+-]$/.test(before) ? `${before} ` : before;
        const separatorAfter = /^[\w.-]/.test(after) ? ` ${after}` : after;
        const args: JsonObject = { note: `${separatorBefore}${email}${separatorAfter}` };
        try {
          const inspected = engine.inspectArguments(context, args);
          assert.equal(JSON.stringify(inspected.arguments).includes(email), false);
        } catch (error) {
          assert.ok(isWardenError(error, 'WARDEN_INSPECTION_FAILED'), String(error));
        }
      }),
      { numRuns: 300 },
    );
  });
});

const context = {
  sessionId: 'session-1',
  agentClearance: 'internal',
  server: 'crm',
  tool: 'read_customer',
  exposedName: 'crm__read_customer',
};

function makeEngine(): InspectionEngine {
  const parsed = configSchema.parse({
    version: 1,
    inspection: { arguments: { confidential: 'mask', restricted: 'mask' } },
    servers: { crm: { transport: 'http', url: 'http://127.0.0.1:9/mcp', tools: { read_customer: {} } } },
  });
  const config: ResolvedConfig = {
    ...parsed,
    server: { ...parsed.server, publicUrl: 'http://127.0.0.1:8787' },
  };
  return new InspectionEngine({
    config,
    scanner,
    vault: new TokenVault({ clock: new ManualClock(), ttlSeconds: 3600 }),
  });
}
