/**
 * Scan speed only, in about a minute: the speed corpus of `bench:inspect` (JSON records, e-mails,
 * tables, CSV exports, dataset contexts), scanned with every detector and the injection scorer, with
 * PII + secrets only, with the scorer only, and each detector alone, in one run, interleaved pass by
 * pass so load on the machine hits every row alike. Prints CPU milliseconds per MB (median of the
 * passes) and MB per CPU second. Not a test; `npm run bench:inspect` is the full report.
 *
 * `--baseline DIR` also loads the inspection code of another checkout (say a `git worktree` of an
 * older commit, with node_modules linked) and runs its full scan, PII + secrets and scorer rows in
 * the same passes, so a change is measured against its base in one run (the ratio is what to read).
 *
 *   node --import tsx bench/inspect-speed.ts [--mb 1] [--passes 5] [--detectors] [--baseline DIR]
 */
import { cpuUsage } from 'node:process';
import { buildSpeedCorpus, utf8Bytes } from './inspect/corpus.js';
import { loadInjectionRows, loadUnlabelledTexts } from './inspect/datasets.js';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Scanner, createInjectionScorer, defaultDetectors } from '../src/inspect/index.js';
import type * as InspectModule from '../src/inspect/index.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const MEGABYTES = argument('--mb', 1);
const PASSES = argument('--passes', 5);
const PER_DETECTOR = process.argv.includes('--detectors');
const baselineIndex = process.argv.indexOf('--baseline');
const BASELINE = baselineIndex >= 0 ? process.argv[baselineIndex + 1] : undefined;

const rows = await loadInjectionRows();
const external = (await loadUnlabelledTexts(rows)).flatMap((group) => group.texts);
const corpus = buildSpeedCorpus(MEGABYTES * 2 ** 20, external).map((document) => document.text);
const megabytes = corpus.reduce((sum, text) => sum + utf8Bytes(text), 0) / 2 ** 20;

const detectors = defaultDetectors();
const scorer = createInjectionScorer();
const rowsToRun: { name: string; scanner: Scanner }[] = [
  { name: 'full scan (every detector + injection scorer)', scanner: new Scanner(detectors, scorer) },
  { name: 'PII + secrets', scanner: new Scanner(detectors) },
  { name: 'PII only', scanner: new Scanner(detectors.filter((d) => d.category === 'pii')) },
  { name: 'secrets only', scanner: new Scanner(detectors.filter((d) => d.category === 'secret')) },
  { name: 'injection scorer only', scanner: new Scanner([], scorer) },
  { name: 'empty scanner (walk, profile-free)', scanner: new Scanner([]) },
];
if (BASELINE !== undefined) {
  const module = (await import(
    pathToFileURL(join(resolve(BASELINE), 'src/inspect/index.ts')).href
  )) as typeof InspectModule;
  const baseDetectors = module.defaultDetectors();
  const baseScorer = module.createInjectionScorer();
  rowsToRun.push(
    { name: `baseline ${BASELINE}: full scan`, scanner: new module.Scanner(baseDetectors, baseScorer) },
    { name: `baseline ${BASELINE}: PII + secrets`, scanner: new module.Scanner(baseDetectors) },
    { name: `baseline ${BASELINE}: injection scorer only`, scanner: new module.Scanner([], baseScorer) },
  );
}
if (PER_DETECTOR) {
  for (const detector of detectors) rowsToRun.push({ name: detector.name, scanner: new Scanner([detector]) });
}

const limits = { timeBudgetMs: 60_000, maxTotalLength: 1e9, maxStringLength: 1e9 };
function pass(scanner: Scanner): number {
  const start = cpuUsage();
  for (const text of corpus) scanner.scanText(text, { kind: 'tool_output', limits });
  const used = cpuUsage(start);
  return (used.user + used.system) / 1000;
}
// warm-up
for (const row of rowsToRun) pass(row.scanner);
const samples = rowsToRun.map(() => [] as number[]);
for (let index = 0; index < PASSES; index++) {
  rowsToRun.forEach((row, rowIndex) => samples[rowIndex]?.push(pass(row.scanner)));
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
};
console.log(`corpus: ${corpus.length} documents, ${megabytes.toFixed(2)} MB; ${PASSES} passes, median`);
console.log('| scanner | CPU ms per MB | MB per CPU second |');
console.log('| --- | ---: | ---: |');
rowsToRun.forEach((row, rowIndex) => {
  const perMb = median(samples[rowIndex] as number[]) / megabytes;
  console.log(`| ${row.name} | ${perMb.toFixed(1)} | ${(1000 / perMb).toFixed(1)} |`);
});
