/**
 * Adapters that run other PII libraries on the benchmark's texts and report what they found in
 * Warden's type names: openredaction (spans from its API), redact-pii (spans recovered from its
 * redacted output) and @presidio-dev/hai-guardrails (run in a child process, see
 * `hai-guardrails-run.ts`). Types a library has no entity for are "n/a", never zero.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { PredictedSpan, Throughput } from './metrics.js';
import type { PiiType } from './synthetic.js';

const require = createRequire(import.meta.url);
const REPO = resolve(import.meta.dirname, '..', '..');

/** A PII library as the benchmark drives it. */
export interface PiiAdapter {
  name: string;
  version: string;
  /** Our types it has an entity for. */
  supported: ReadonlySet<PiiType>;
  /** Findings mapped to our types (unmapped entities dropped), or undefined when spans could not be recovered. */
  detect: (text: string) => Promise<PredictedSpan[] | undefined>;
  /** Types found in `text` (mapped), one entry per finding; for unlabelled counts. */
  types: (text: string) => Promise<string[]>;
  /** Runs the library once on `text` the cheapest documented way (for throughput). */
  run: (text: string) => Promise<unknown>;
}

/** Version of an installed package (read from its package.json next to its entry point). */
export async function packageVersion(name: string): Promise<string> {
  let directory = dirname(require.resolve(name));
  for (let depth = 0; depth < 4; depth++) {
    try {
      const manifest = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && manifest.version !== undefined) return manifest.version;
    } catch {
      // not here; look one level up
    }
    directory = dirname(directory);
  }
  return 'unknown';
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Recovers the spans a redactor replaced: `redacted` is `original` with some substrings replaced by
 * tokens matched by `token` (a global regex). Returns the original span behind each token, or
 * undefined when the texts cannot be aligned.
 */
export function alignRedaction(
  original: string,
  redacted: string,
  token: RegExp,
): { token: string; start: number; end: number }[] | undefined {
  const literals: string[] = [];
  const tokens: string[] = [];
  let last = 0;
  for (const match of redacted.matchAll(token)) {
    literals.push(redacted.slice(last, match.index));
    tokens.push(match[0]);
    last = match.index + match[0].length;
  }
  literals.push(redacted.slice(last));
  if (tokens.length === 0) return redacted === original ? [] : undefined;
  const match = new RegExp(`^${literals.map(escapeRegExp).join('([\\s\\S]+?)')}$`, 'd').exec(original);
  if (match?.indices === undefined) return undefined;
  const indices = match.indices;
  return tokens.map((name, index) => {
    const [start, end] = indices[index + 1] as [number, number];
    return { token: name, start, end };
  });
}

/** openredaction entity types → ours. Its TAX_ID is a US TIN/EIN pattern, so vn_tax_code stays n/a. */
function openRedactionType(type: string): PiiType | undefined {
  if (type === 'EMAIL') return 'email';
  if (type.startsWith('PHONE_')) return 'phone';
  if (type === 'CREDIT_CARD') return 'payment_card';
  if (type === 'IBAN' || type === 'UK_BANK_ACCOUNT_IBAN') return 'iban';
  if (type === 'IPV4' || type === 'IPV6') return 'ip_address';
  if (type === 'SSN') return 'us_ssn';
  if (type === 'NAME') return 'person_name';
  if (type === 'ADDRESS_STREET' || type === 'ADDRESS_PO_BOX') return 'address';
  if (type === 'DATE_OF_BIRTH') return 'date_of_birth';
  if (type.includes('PASSPORT')) return 'passport';
  if (type === 'VIETNAM_CCCD') return 'vn_cccd';
  if (type === 'BANK_ACCOUNT_UK') return 'bank_account';
  return undefined;
}

/** openredaction with its defaults (async `detect`, local patterns only). */
export async function openRedactionAdapter(): Promise<PiiAdapter> {
  const { OpenRedaction } = await import('openredaction');
  const redactor = new OpenRedaction();
  const detect = async (text: string): Promise<PredictedSpan[]> => {
    const result = await redactor.detect(text);
    const spans: PredictedSpan[] = [];
    for (const detection of result.detections) {
      const type = openRedactionType(detection.type);
      if (type !== undefined) spans.push({ type, start: detection.position[0], end: detection.position[1] });
    }
    return spans;
  };
  return {
    name: 'openredaction',
    version: await packageVersion('openredaction'),
    supported: new Set<PiiType>([
      'email',
      'phone',
      'payment_card',
      'iban',
      'ip_address',
      'us_ssn',
      'person_name',
      'address',
      'date_of_birth',
      'passport',
      'vn_cccd',
      'bank_account',
    ]),
    detect,
    types: async (text) => (await detect(text)).map((span) => span.type),
    run: (text) => redactor.detect(text),
  };
}

/**
 * redact-pii's default replacement words (`snakeCase(name).toUpperCase()`; its per-redactor
 * `replaceWith` option is not read by 3.4's code) → ours. ZIPCODE, DIGITS, URL, USERNAME,
 * PASSWORD and CREDENTIALS have no counterpart.
 */
const REDACT_PII_TOKENS: Readonly<Record<string, PiiType | undefined>> = {
  CREDIT_CARD_NUMBER: 'payment_card',
  STREET_ADDRESS: 'address',
  ZIPCODE: undefined,
  PHONE_NUMBER: 'phone',
  IP_ADDRESS: 'ip_address',
  US_SOCIAL_SECURITY_NUMBER: 'us_ssn',
  EMAIL_ADDRESS: 'email',
  USERNAME: undefined,
  PASSWORD: undefined,
  CREDENTIALS: undefined,
  DIGITS: undefined,
  URL: undefined,
  PERSON_NAME: 'person_name',
};
const REDACT_PII_TOKEN = new RegExp(Object.keys(REDACT_PII_TOKENS).join('|'), 'g');

/** redact-pii's SyncRedactor with its defaults (all built-in patterns, no Google DLP). */
export async function redactPiiAdapter(): Promise<PiiAdapter> {
  const { SyncRedactor } = await import('redact-pii');
  const redactor = new SyncRedactor();
  return {
    name: 'redact-pii',
    version: await packageVersion('redact-pii'),
    supported: new Set<PiiType>([
      'email',
      'phone',
      'payment_card',
      'ip_address',
      'us_ssn',
      'person_name',
      'address',
    ]),
    detect: async (text) => {
      const aligned = alignRedaction(text, redactor.redact(text), REDACT_PII_TOKEN);
      if (aligned === undefined) return undefined;
      const spans: PredictedSpan[] = [];
      for (const { token, start, end } of aligned) {
        const type = REDACT_PII_TOKENS[token];
        if (type !== undefined) spans.push({ type, start, end });
      }
      return spans;
    },
    types: async (text) => {
      const found: string[] = [];
      for (const match of redactor.redact(text).matchAll(REDACT_PII_TOKEN)) {
        const type = REDACT_PII_TOKENS[match[0]];
        if (type !== undefined) found.push(type);
      }
      return found;
    },
    run: async (text) => redactor.redact(text),
  };
}

/** hai-guardrails' PII guard replacement tokens → ours (ICD-10, MRN, NPI and DEA have no counterpart). */
export const HAI_TOKENS: Readonly<Record<string, PiiType | undefined>> = {
  '[REDACTED-EMAIL]': 'email',
  '[REDACTED-PHONE]': 'phone',
  '[REDACTED-SSN]': 'us_ssn',
  '[REDACTED-CREDIT-CARD]': 'payment_card',
  '[REDACTED-IP-ADDRESS]': 'ip_address',
  '[REDACTED-ICD10]': undefined,
  '[REDACTED-MRN]': undefined,
  '[REDACTED-NPI]': undefined,
  '[REDACTED-DEA]': undefined,
};
export const HAI_TOKEN = /\[REDACTED-[A-Z0-9-]+\]/g;
export const HAI_SUPPORTED: readonly PiiType[] = ['email', 'phone', 'us_ssn', 'payment_card', 'ip_address'];

/** What the parent sends the hai-guardrails child. */
export interface HaiInput {
  syntheticTexts: string[];
  unlabelled: { source: string; texts: string[] }[];
  injectionRows: { id: string; text: string }[];
  /** Rows scored by the pattern guard only (the heuristic guard is too slow for more). */
  extraInjectionRows: { id: string; text: string }[];
  corpus: string[];
  /** Wall-clock cap for the heuristic injection guard over the injection rows. */
  heuristicSeconds: number;
  /** Wall-clock cap per throughput measurement. */
  throughputSeconds: number;
}

/** What the child sends back. */
export interface HaiOutput {
  version: string;
  /** Per synthetic text: mapped spans, or null when the redaction could not be aligned. */
  piiSpans: (PredictedSpan[] | null)[];
  /** Per unlabelled group: mapped type → count. */
  unlabelled: { source: string; texts: number; counts: Record<string, number>; textsWithFindings: number }[];
  /** Scores of the injection guard per mode, for the rows it reached (heuristic is time-boxed). */
  injection: {
    heuristic: { id: string; score: number }[];
    pattern: { id: string; score: number }[];
    patternExtra: { id: string; score: number }[];
  };
  throughput: { pii: Throughput; pattern: Throughput; heuristic: Throughput };
}

/**
 * Runs hai-guardrails in a child process (with the resolve hooks its published bundle needs, see
 * `hai-guardrails-hooks.mjs`). Its heuristic guard keeps piscina worker threads busy, so the child
 * runs alone, before or after Warden's timings, never during them.
 */
export async function runHaiGuardrails(input: HaiInput, workDirectory: string): Promise<HaiOutput> {
  const inputFile = join(workDirectory, 'hai-input.json');
  const outputFile = join(workDirectory, 'hai-output.json');
  await writeFile(inputFile, JSON.stringify(input));
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(REPO, 'bench', 'inspect', 'hai-guardrails-register.mjs'),
      '--import',
      'tsx',
      join(REPO, 'bench', 'inspect', 'hai-guardrails-run.ts'),
      inputFile,
      outputFile,
    ],
    { cwd: REPO, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('exit', resolveExit);
  });
  if (code !== 0)
    throw new Error(
      `the hai-guardrails child exited with ${code}: ${errors.trim().split('\n').slice(-5).join(' | ')}`,
    );
  return JSON.parse(await readFile(outputFile, 'utf8')) as HaiOutput;
}
