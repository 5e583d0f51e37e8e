/**
 * The hai-guardrails side of the inspection benchmark, run as a child process by
 * `competitors.ts` (`node --import ./hai-guardrails-register.mjs --import tsx`): its PII guard on
 * the synthetic set and the unlabelled texts, its injection guard (heuristic and pattern modes: no
 * LLM, no network) on the held-back injection rows, and throughput of each on the speed corpus.
 *
 *   node --import ./bench/inspect/hai-guardrails-register.mjs --import tsx bench/inspect/hai-guardrails-run.ts in.json out.json
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { SelectionType, injectionGuard, piiGuard } from '@presidio-dev/hai-guardrails';
import type { Guard } from '@presidio-dev/hai-guardrails';
import { HAI_TOKEN, HAI_TOKENS, alignRedaction, packageVersion } from './competitors.js';
import type { HaiInput, HaiOutput } from './competitors.js';
import { timeBoxed } from './metrics.js';
import type { PredictedSpan } from './metrics.js';

const [inputFile, outputFile] = process.argv.slice(2);
if (inputFile === undefined || outputFile === undefined)
  throw new Error('usage: hai-guardrails-run.ts <input.json> <output.json>');
const input = JSON.parse(await readFile(inputFile, 'utf8')) as HaiInput;

const pii = piiGuard({ selection: SelectionType.All, mode: 'redact' });
const heuristic = injectionGuard({ roles: ['user'] }, { mode: 'heuristic', threshold: 0.5 });
const pattern = injectionGuard({ roles: ['user'] }, { mode: 'pattern', threshold: 0.5 });

async function redact(text: string): Promise<string> {
  const [result] = await pii([{ role: 'user', content: text }]);
  return result?.modifiedMessage?.content ?? text;
}

async function injectionScore(guard: Guard, text: string): Promise<number> {
  const [result] = await guard([{ role: 'user', content: text }]);
  const score = result?.additionalFields?.score;
  if (typeof score !== 'number')
    throw new Error(`the injection guard returned no score: ${JSON.stringify(result?.reason)}`);
  return score;
}

const log = (message: string): void => void process.stderr.write(`[hai-guardrails] ${message}\n`);

// Warm up (starts piscina's workers).
await redact('warm up a@b.co');
await injectionScore(heuristic, 'warm up');
await injectionScore(pattern, 'warm up');

log(`PII guard on ${input.syntheticTexts.length} synthetic texts`);
const piiSpans: (PredictedSpan[] | null)[] = [];
for (const text of input.syntheticTexts) {
  const aligned = alignRedaction(text, await redact(text), HAI_TOKEN);
  if (aligned === undefined) {
    piiSpans.push(null);
    continue;
  }
  const spans: PredictedSpan[] = [];
  for (const { token, start, end } of aligned) {
    const type = HAI_TOKENS[token];
    if (type !== undefined) spans.push({ type, start, end });
  }
  piiSpans.push(spans);
}

const unlabelled: HaiOutput['unlabelled'] = [];
for (const group of input.unlabelled) {
  const counts: Record<string, number> = {};
  let textsWithFindings = 0;
  for (const text of group.texts) {
    let found = false;
    for (const match of (await redact(text)).matchAll(HAI_TOKEN)) {
      const type = HAI_TOKENS[match[0]];
      if (type === undefined) continue;
      counts[type] = (counts[type] ?? 0) + 1;
      found = true;
    }
    if (found) textsWithFindings += 1;
  }
  unlabelled.push({ source: group.source, texts: group.texts.length, counts, textsWithFindings });
}

log(`pattern injection guard on ${input.injectionRows.length} rows`);
const patternScores: { id: string; score: number }[] = [];
for (const row of input.injectionRows)
  patternScores.push({ id: row.id, score: await injectionScore(pattern, row.text) });
const patternExtra: { id: string; score: number }[] = [];
for (const row of input.extraInjectionRows)
  patternExtra.push({ id: row.id, score: await injectionScore(pattern, row.text) });

// The heuristic guard takes seconds per row: score a deterministic shuffle of the rows (by hash of
// the id, so labels and kinds are mixed) until the time box closes.
const shuffled = [...input.injectionRows].sort((a, b) =>
  createHash('sha256')
    .update(a.id)
    .digest('hex')
    .localeCompare(createHash('sha256').update(b.id).digest('hex')),
);
log(`heuristic injection guard on up to ${shuffled.length} rows, at most ${input.heuristicSeconds} s`);
const heuristicScores: { id: string; score: number }[] = [];
const heuristicStarted = performance.now();
for (const row of shuffled) {
  if (performance.now() - heuristicStarted > input.heuristicSeconds * 1000) break;
  heuristicScores.push({ id: row.id, score: await injectionScore(heuristic, row.text) });
}
log(`heuristic scored ${heuristicScores.length} rows`);

log('throughput');
const throughput = {
  pii: await timeBoxed(input.corpus, input.throughputSeconds, redact),
  pattern: await timeBoxed(input.corpus, input.throughputSeconds, (text) => injectionScore(pattern, text)),
  heuristic: await timeBoxed(input.corpus, input.throughputSeconds, (text) =>
    injectionScore(heuristic, text),
  ),
};

const output: HaiOutput = {
  version: await packageVersion('@presidio-dev/hai-guardrails'),
  piiSpans,
  unlabelled,
  injection: { heuristic: heuristicScores, pattern: patternScores, patternExtra },
  throughput,
};
await writeFile(outputFile, JSON.stringify(output));
// piscina's worker threads keep the event loop alive.
process.exit(0);
