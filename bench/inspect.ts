/**
 * Content-inspection benchmark, in one run:
 *
 * 1. PII precision/recall/F1 per type on a deterministic synthetic set (English and Vietnamese,
 *    every value labelled with its span; negatives that must not be reported), against the F1
 *    targets; counts on the shared datasets' unlabelled texts.
 * 2. Prompt-injection detection and false-positive rates on the held-back split of the development
 *    data, per kind, at the configured threshold (0.5) and at the threshold that keeps FPR ≤ 0.02.
 * 3. Speed: `scanText` throughput with every detector and the injection scorer on, over ~4 MB of
 *    realistic tool results, and p50/p99 latency of a 4 KB result.
 * 4. The same measurements for openredaction, redact-pii and @presidio-dev/hai-guardrails.
 *
 * Prints Markdown tables (or JSON with `--json`). Not a test: nothing fails on timing. Speed is given
 * per CPU second of the process (user + system, all threads: V8's background compiler and GC count
 * too, so it is an upper bound of the cost) as well as per wall-clock second, because the machine
 * is shared.
 *
 *   npm run bench:inspect                  # full run, about 10 minutes
 *   npm run bench:inspect -- --quick       # smaller sets, about 2 minutes
 *   npm run bench:inspect -- --json > inspect.json
 *
 * Sizes can be overridden: BENCH_INSPECT_PER_TYPE, BENCH_INSPECT_CORPUS_MB, BENCH_INSPECT_ITERATIONS,
 * BENCH_INSPECT_HAI_SECONDS (heuristic injection guard time box), BENCH_INSPECT_COMPETITOR_SECONDS.
 */
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Detector, InjectionScorer, Scanner } from '../src/inspect/index.js';
import { FINDING_TYPES } from '../src/inspect/types.js';
import type { FindingType } from '../src/inspect/types.js';
import {
  openRedactionAdapter,
  redactPiiAdapter,
  runHaiGuardrails,
  HAI_SUPPORTED,
} from './inspect/competitors.js';
import type { HaiOutput, PiiAdapter } from './inspect/competitors.js';
import { buildFixedSizeResults, buildSpeedCorpus, utf8Bytes } from './inspect/corpus.js';
import {
  heldBackOverlap,
  loadAgentDojoInjection,
  loadInjectionRows,
  loadUnlabelledTexts,
} from './inspect/datasets.js';
import type { InjectionRow, TextGroup } from './inspect/datasets.js';
import {
  cpuSecondsSince,
  detectionByCategory,
  percentile,
  ratesAt,
  scorePii,
  thresholdForFpr,
  timeBoxed,
} from './inspect/metrics.js';
import type { DetectionRates, PiiScore, PredictedSpan, ScoredRow, Throughput } from './inspect/metrics.js';
import {
  RATES_ALIGN,
  RATES_HEADER,
  fixed,
  fprThreshold,
  megabytesPerCpuSecond,
  megabytesPerSecond,
  passFail,
  prf,
  ratesRow,
  table,
  THROUGHPUT_HEADER,
  throughputRow,
  wardenPiiTable,
} from './inspect/report.js';
import {
  PII_TYPES,
  TARGET_F1,
  TARGET_TYPES,
  countGold,
  generateSyntheticSet,
  syntheticDirectory,
  writeSyntheticSet,
} from './inspect/synthetic.js';
import type { SyntheticExample } from './inspect/synthetic.js';
import { generateFreshSet } from './inspect/synthetic-fresh.js';
import { freshPromptRows } from './inspect/fresh-prompts.js';

const QUICK = process.argv.includes('--quick');
const JSON_OUTPUT = process.argv.includes('--json');
const envNumber = (name: string, full: number, quick: number): number =>
  Number(process.env[name] ?? (QUICK ? quick : full));
const PER_TYPE = envNumber('BENCH_INSPECT_PER_TYPE', 320, 60);
const FRESH_PER_TYPE = envNumber('BENCH_INSPECT_FRESH_PER_TYPE', 120, 40);
const CORPUS_MB = envNumber('BENCH_INSPECT_CORPUS_MB', 4, 0.5);
const ITERATIONS = envNumber('BENCH_INSPECT_ITERATIONS', 2000, 300);
const HAI_SECONDS = envNumber('BENCH_INSPECT_HAI_SECONDS', 240, 20);
const COMPETITOR_SECONDS = envNumber('BENCH_INSPECT_COMPETITOR_SECONDS', 20, 3);
const WARMUP_ITERATIONS = 200;
const THROUGHPUT_PASSES = QUICK ? 1 : 5;
const CONFIGURED_THRESHOLD = 0.5;
const MAX_FPR = 0.02;
const TARGET_TPR = 0.9;
const TARGET_MB_PER_SECOND = 20;
const LATENCY_SIZE = 4096;

const log = (message: string): void => void process.stderr.write(`[bench:inspect] ${message}\n`);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** What could not run, said exactly, for the report. */
const missing: string[] = [];

// ---------------------------------------------------------------------------------------------
// Warden

interface Warden {
  scanner: Scanner | undefined;
  /** The scanner's injection scorer, timed alone for the per-detector table. */
  scorer: InjectionScorer | undefined;
  /** Builds a scanner over other detectors (one at a time, for the per-detector table). */
  makeScanner: ((detectors: readonly Detector[], scorer?: InjectionScorer) => Scanner) | undefined;
  isHeldBack: ((id: string) => boolean) | undefined;
}

async function loadWarden(): Promise<Warden> {
  let scanner: Scanner | undefined;
  let scorer: InjectionScorer | undefined;
  let makeScanner: Warden['makeScanner'];
  try {
    const inspect = await import('../src/inspect/index.js');
    makeScanner = (detectors, injectionScorer) => new inspect.Scanner(detectors, injectionScorer);
    scorer = inspect.createInjectionScorer();
    scanner = new inspect.Scanner(inspect.defaultDetectors(), scorer);
  } catch (error) {
    missing.push(
      `Warden's scanner: loading src/inspect/index.ts or building Scanner(defaultDetectors(), createInjectionScorer()) failed: ${messageOf(error)}`,
    );
  }
  let isHeldBack: ((id: string) => boolean) | undefined;
  try {
    ({ isHeldBack } = await import('../src/inspect/injection/split.js'));
  } catch (error) {
    missing.push(
      `src/inspect/injection/split.ts (isHeldBack) could not be loaded, so no injection figures: ${messageOf(error)}`,
    );
  }
  return { scanner, scorer, makeScanner, isHeldBack };
}

const isDataFinding = (type: FindingType): boolean => FINDING_TYPES[type].category !== 'injection';

/** Warden's PII and secret findings in one text (as deployed: every detector, default options). */
function wardenFindings(scanner: Scanner, text: string, failures: { count: number }): PredictedSpan[] {
  try {
    return scanner
      .scanText(text)
      .findings.filter((finding) => isDataFinding(finding.type))
      .map((finding) => ({ type: finding.type, start: finding.start, end: finding.end }));
  } catch {
    failures.count += 1; // failed closed (a limit or the time budget): nothing reported
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface PiiRun {
  name: string;
  version: string;
  score: PiiScore | undefined;
  /** Examples whose spans could not be recovered (redaction-only libraries) or scans that failed closed. */
  failures: number;
  error?: string;
}

interface UnlabelledCounts {
  library: string;
  source: string;
  texts: number;
  textsWithFindings: number;
  counts: Record<string, number>;
}

async function runAdapterPii(adapter: PiiAdapter, examples: readonly SyntheticExample[]): Promise<PiiRun> {
  const predictions: PredictedSpan[][] = [];
  let failures = 0;
  for (const example of examples) {
    const spans = await adapter.detect(example.text);
    if (spans === undefined) failures += 1;
    predictions.push(spans ?? []);
  }
  return {
    name: adapter.name,
    version: adapter.version,
    score: scorePii(examples, predictions, adapter.supported),
    failures,
  };
}

async function countAdapter(adapter: PiiAdapter, groups: readonly TextGroup[]): Promise<UnlabelledCounts[]> {
  const result: UnlabelledCounts[] = [];
  for (const group of groups) {
    const counts: Record<string, number> = {};
    let textsWithFindings = 0;
    for (const text of group.texts) {
      const types = await adapter.types(text);
      for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
      if (types.length > 0) textsWithFindings += 1;
    }
    result.push({
      library: adapter.name,
      source: group.source,
      texts: group.texts.length,
      textsWithFindings,
      counts,
    });
  }
  return result;
}

/**
 * Synchronous passes of `scan` over the corpus, after a warm-up pass over all of it: a gateway scans
 * for hours, so the figure wanted is the steady state, not V8 still compiling or collecting what the
 * accuracy sections before left behind (with a warm-up over a tenth, the first of three passes ran at
 * 0.4 of the third).
 */
function throughputPasses(
  documents: readonly string[],
  passes: number,
  scan: (text: string) => void,
): Throughput[] {
  for (const document of documents) scan(document);
  const runs: Throughput[] = [];
  for (let pass = 0; pass < passes; pass++) {
    let bytes = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const document of documents) {
      scan(document);
      bytes += utf8Bytes(document);
    }
    runs.push({
      documents: documents.length,
      bytes,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSecondsSince(cpu),
    });
  }
  return runs;
}

const medianRun = (runs: readonly Throughput[]): Throughput =>
  [...runs].sort((a, b) => megabytesPerCpuSecond(a) - megabytesPerCpuSecond(b))[
    Math.floor(runs.length / 2)
  ] as Throughput;

interface InjectionSummary {
  detector: string;
  /** Rows scored (the heuristic guard is time-boxed, so it may see a sample). */
  scored: number;
  kinds: {
    kind: string;
    at05: DetectionRates;
    threshold: number;
    atThreshold: DetectionRates;
    pass: boolean | undefined;
  }[];
  categories: { category: string; positives: number; detected: number[] }[];
  thresholds: number[];
  failures: number;
}

function summarizeInjection(detector: string, rows: readonly ScoredRow[], failures = 0): InjectionSummary {
  const kinds: InjectionSummary['kinds'] = [];
  for (const kind of ['prompt', 'tool_output', 'all'] as const) {
    const subset = kind === 'all' ? rows : rows.filter((row) => row.kind === kind);
    const threshold = thresholdForFpr(subset, MAX_FPR);
    const atThreshold = ratesAt(subset, threshold);
    kinds.push({
      kind,
      at05: ratesAt(subset, CONFIGURED_THRESHOLD),
      threshold,
      atThreshold,
      pass:
        atThreshold.positives === 0 ? undefined : atThreshold.tpr >= TARGET_TPR && atThreshold.fpr <= MAX_FPR,
    });
  }
  const toolOutput = rows.filter((row) => row.kind === 'tool_output');
  const toolThreshold = thresholdForFpr(toolOutput, MAX_FPR);
  const thresholds = [CONFIGURED_THRESHOLD, toolThreshold];
  return {
    detector,
    scored: rows.length,
    kinds,
    categories: detectionByCategory(toolOutput, thresholds),
    thresholds,
    failures,
  };
}

/** Rates on data no detector was tuned on, at 0.5 and at the detector's held-back tool_output threshold. */
interface OutOfDistribution {
  detector: string;
  at05: DetectionRates;
  threshold: number;
  atThreshold: DetectionRates;
}

function outOfDistribution(
  detector: string,
  rows: readonly ScoredRow[],
  heldBackSummary: InjectionSummary | undefined,
  kind: 'prompt' | 'tool_output' = 'tool_output',
): OutOfDistribution {
  const threshold = heldBackSummary?.kinds.find((entry) => entry.kind === kind)?.threshold ?? Number.NaN;
  return {
    detector,
    at05: ratesAt(rows, CONFIGURED_THRESHOLD),
    threshold,
    atThreshold: ratesAt(rows, threshold),
  };
}

/** Warden's injection score of each row; a scan that fails closed counts as detected (score 1). */
function injectionScores(scanner: Scanner, rows: readonly InjectionRow[]): ScoredRow[] {
  return rows.map((row) => {
    let score: number;
    try {
      score = scanner.scanText(row.text, { kind: row.kind, categories: ['injection'] }).injectionScore;
    } catch {
      score = 1;
    }
    return { id: row.id, kind: row.kind, label: row.label, category: row.category, score };
  });
}

/** The table of rates on data no detector was tuned on, one row per detector. */
function outOfDistributionTable(entries: readonly OutOfDistribution[], thresholdName: string): string {
  return table(
    ['detector', 'TPR @0.5', 'FPR @0.5', thresholdName, 'TPR there', 'FPR there'],
    entries.map((entry) => [
      entry.detector,
      fixed(entry.at05.tpr),
      fixed(entry.at05.fpr),
      fprThreshold(entry.threshold),
      fixed(entry.atThreshold.tpr),
      fixed(entry.atThreshold.fpr),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
}

// ---------------------------------------------------------------------------------------------
// Run

const started = Date.now();
const environment = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
  quick: QUICK,
};
log(
  `${QUICK ? 'quick' : 'full'} run on ${environment.cores} × ${environment.cpu}, Node ${environment.node}, load ${environment.loadAverageAtStart.join(' ')}`,
);

// 1. data
const examples = generateSyntheticSet({ perType: PER_TYPE });
const syntheticFile = await writeSyntheticSet(examples, `synthetic-${PER_TYPE}.jsonl`);
const gold = countGold(examples);
const freshExamples = generateFreshSet({ perType: FRESH_PER_TYPE });
await writeSyntheticSet(freshExamples, `synthetic-fresh-${FRESH_PER_TYPE}.jsonl`);
log(
  `synthetic set: ${examples.length} examples (${PER_TYPE} per type + ${PER_TYPE} negatives) written to ${syntheticFile}`,
);
const injectionRows = await loadInjectionRows();
const unlabelledGroups = await loadUnlabelledTexts(injectionRows);
const corpusDocuments = buildSpeedCorpus(
  CORPUS_MB * 2 ** 20,
  unlabelledGroups.flatMap((group) => group.texts),
);
const corpus = corpusDocuments.map((document) => document.text);
const corpusBytes = corpus.reduce((sum, document) => sum + utf8Bytes(document), 0);
const fixedSize = buildFixedSizeResults(32, LATENCY_SIZE);
log(`speed corpus: ${corpus.length} tool results, ${(corpusBytes / 2 ** 20).toFixed(2)} MB`);

const { scanner, scorer, makeScanner, isHeldBack } = await loadWarden();
const heldBack = isHeldBack === undefined ? [] : injectionRows.filter((row) => isHeldBack(row.id));
if (isHeldBack !== undefined) log(`held-back injection rows: ${heldBack.length} of ${injectionRows.length}`);
const overlap = isHeldBack === undefined ? undefined : heldBackOverlap(injectionRows, isHeldBack);
const agentDojoRows = await loadAgentDojoInjection();
const freshPrompts: InjectionRow[] = freshPromptRows();

// 2. Warden accuracy
const agentDojo: OutOfDistribution[] = [];
const freshPromptRates: OutOfDistribution[] = [];
let wardenFresh: PiiScore | undefined;
const piiRuns: PiiRun[] = [];
const unlabelled: UnlabelledCounts[] = [];
let wardenInjection: InjectionSummary | undefined;
if (scanner !== undefined) {
  log('Warden: PII on the synthetic set');
  const failures = { count: 0 };
  const predictions = examples.map((example) => wardenFindings(scanner, example.text, failures));
  piiRuns.push({
    name: 'warden',
    version: 'working tree',
    score: scorePii(examples, predictions, new Set(PII_TYPES)),
    failures: failures.count,
  });
  const freshPredictions = freshExamples.map((example) => wardenFindings(scanner, example.text, failures));
  wardenFresh = scorePii(freshExamples, freshPredictions, new Set(PII_TYPES));
  for (const group of unlabelledGroups) {
    const counts: Record<string, number> = {};
    let textsWithFindings = 0;
    for (const text of group.texts) {
      const found = wardenFindings(scanner, text, failures);
      for (const finding of found) counts[finding.type] = (counts[finding.type] ?? 0) + 1;
      if (found.length > 0) textsWithFindings += 1;
    }
    unlabelled.push({
      library: 'warden',
      source: group.source,
      texts: group.texts.length,
      textsWithFindings,
      counts,
    });
  }
  if (heldBack.length > 0) {
    log(`Warden: injection on ${heldBack.length} held-back rows`);
    let injectionFailures = 0;
    const wardenInjectionRows: ScoredRow[] = heldBack.map((row) => {
      let score: number;
      try {
        score = scanner.scanText(row.text, { kind: row.kind, categories: ['injection'] }).injectionScore;
      } catch {
        injectionFailures += 1;
        score = 1; // failed closed: the content is refused, as if detected
      }
      return { id: row.id, kind: row.kind, label: row.label, category: row.category, score };
    });
    wardenInjection = summarizeInjection('warden', wardenInjectionRows, injectionFailures);
  }
  log(`Warden: injection on ${agentDojoRows.length} AgentDojo banking tool outputs`);
  const agentDojoScored = injectionScores(scanner, agentDojoRows);
  agentDojo.push(outOfDistribution('warden', agentDojoScored, wardenInjection));
  log(`Warden: injection on ${freshPrompts.length} prompts written for the benchmark`);
  const freshScored = injectionScores(scanner, freshPrompts);
  freshPromptRates.push(outOfDistribution('warden', freshScored, wardenInjection, 'prompt'));
}

// 3. Warden speed (before any competitor runs, so nothing else is busy in this process)
let wardenSpeed:
  | {
      all: Throughput[];
      dataOnly: Throughput[];
      /** One more pass with every detector, split by kind of tool result. */
      byKind: { kind: string; run: Throughput }[];
      /** Each detector (and the injection scorer) alone over the corpus. */
      byDetector: { name: string; category: string; run: Throughput }[];
      latency: { iterations: number; p50: number; p99: number; mean: number };
    }
  | undefined;
if (scanner !== undefined) {
  log(
    `Warden: throughput, ${THROUGHPUT_PASSES} pass(es) over the corpus with every detector and the injection scorer`,
  );
  const failures = { count: 0 };
  const scanAll = (text: string): void => {
    try {
      scanner.scanText(text, { kind: 'tool_output' });
    } catch {
      failures.count += 1;
    }
  };
  const all = throughputPasses(corpus, THROUGHPUT_PASSES, scanAll);
  const dataOnly = throughputPasses(corpus, 1, (text) => {
    try {
      scanner.scanText(text, { categories: ['pii', 'secret'] });
    } catch {
      failures.count += 1;
    }
  });
  const byKind = new Map<string, Throughput>();
  for (const document of corpusDocuments) {
    const begin = performance.now();
    const cpu = process.cpuUsage();
    scanAll(document.text);
    const cpuSeconds = cpuSecondsSince(cpu);
    const run = byKind.get(document.kind) ?? { documents: 0, bytes: 0, seconds: 0, cpuSeconds: 0 };
    run.documents += 1;
    run.bytes += utf8Bytes(document.text);
    run.seconds += (performance.now() - begin) / 1000;
    run.cpuSeconds += cpuSeconds;
    byKind.set(document.kind, run);
  }
  log('Warden: each detector alone over the corpus');
  const byDetector: { name: string; category: string; run: Throughput }[] = [];
  const timeAlone = (work: (text: string) => void): Throughput => {
    const begin = performance.now();
    const cpu = process.cpuUsage();
    for (const text of corpus) work(text);
    return {
      documents: corpus.length,
      bytes: corpusBytes,
      seconds: (performance.now() - begin) / 1000,
      cpuSeconds: cpuSecondsSince(cpu),
    };
  };
  // Each detector in a scanner of its own, so it runs as in production (behind its gate, on the
  // scanner's text profile); the profile is built in every row, so the rows add up to more than a
  // full scan.
  for (const detector of scanner.detectors) {
    const single = makeScanner!([detector]);
    byDetector.push({
      name: detector.name,
      category: detector.category,
      run: timeAlone((text) => single.scanText(text)),
    });
  }
  if (scorer !== undefined) {
    const single = makeScanner!([], scorer);
    byDetector.push({
      name: 'injection scorer',
      category: 'injection',
      run: timeAlone((text) => single.scanText(text, { kind: 'tool_output' })),
    });
  }
  log(
    `Warden: latency of a ${LATENCY_SIZE}-character tool result, ${ITERATIONS} iterations after ${WARMUP_ITERATIONS} warm-up`,
  );
  for (let index = 0; index < WARMUP_ITERATIONS; index++)
    scanAll(fixedSize[index % fixedSize.length] as string);
  const samples: number[] = [];
  for (let index = 0; index < ITERATIONS; index++) {
    const text = fixedSize[index % fixedSize.length] as string;
    const begin = performance.now();
    scanAll(text);
    samples.push((performance.now() - begin) * 1000);
  }
  samples.sort((a, b) => a - b);
  wardenSpeed = {
    all,
    dataOnly,
    byKind: [...byKind.entries()].map(([kind, run]) => ({ kind, run })),
    byDetector,
    latency: {
      iterations: ITERATIONS,
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    },
  };
  if (failures.count > 0)
    missing.push(
      `Warden failed closed on ${failures.count} scans of the speed corpus (limits or time budget)`,
    );
}

// 4. competitors in this process
const competitorThroughput: { name: string; what: string; run: Throughput }[] = [];
for (const [name, make] of [
  ['openredaction', openRedactionAdapter],
  ['redact-pii', redactPiiAdapter],
] as const) {
  let adapter: PiiAdapter;
  try {
    adapter = await make();
  } catch (error) {
    piiRuns.push({ name, version: '?', score: undefined, failures: 0, error: messageOf(error) });
    missing.push(`${name} could not be loaded: ${messageOf(error)}`);
    continue;
  }
  try {
    log(`${name}: PII on the synthetic set`);
    piiRuns.push(await runAdapterPii(adapter, examples));
    unlabelled.push(...(await countAdapter(adapter, unlabelledGroups)));
    log(`${name}: throughput (at most ${COMPETITOR_SECONDS} s)`);
    await timeBoxed(corpus.slice(0, 20), COMPETITOR_SECONDS, adapter.run);
    competitorThroughput.push({
      name,
      what: 'PII',
      run: await timeBoxed(corpus, COMPETITOR_SECONDS, adapter.run),
    });
  } catch (error) {
    piiRuns.push({ name, version: adapter.version, score: undefined, failures: 0, error: messageOf(error) });
    missing.push(`${name} failed while running: ${messageOf(error)}`);
  }
}

// 5. hai-guardrails in a child process
let hai: HaiOutput | undefined;
let haiInjection: { heuristic: InjectionSummary; pattern: InjectionSummary } | undefined;
try {
  log(`hai-guardrails: child process (heuristic injection guard time box ${HAI_SECONDS} s)`);
  const directory = syntheticDirectory();
  await mkdir(directory, { recursive: true });
  hai = await runHaiGuardrails(
    {
      syntheticTexts: examples.map((example) => example.text),
      unlabelled: unlabelledGroups,
      injectionRows: heldBack.map((row) => ({ id: row.id, text: row.text })),
      extraInjectionRows: [...agentDojoRows, ...freshPrompts].map((row) => ({ id: row.id, text: row.text })),
      corpus,
      heuristicSeconds: HAI_SECONDS,
      throughputSeconds: COMPETITOR_SECONDS,
    },
    directory,
  );
  const predictions = hai.piiSpans.map((spans) => spans ?? []);
  piiRuns.push({
    name: '@presidio-dev/hai-guardrails',
    version: hai.version,
    score: scorePii(examples, predictions, new Set(HAI_SUPPORTED)),
    failures: hai.piiSpans.filter((spans) => spans === null).length,
  });
  for (const group of hai.unlabelled) unlabelled.push({ library: '@presidio-dev/hai-guardrails', ...group });
  const byId = new Map<string, InjectionRow>(heldBack.map((row) => [row.id, row]));
  const toRows = (scores: { id: string; score: number }[]): ScoredRow[] =>
    scores.map(({ id, score }) => {
      const row = byId.get(id)!;
      return { id, kind: row.kind, label: row.label, category: row.category, score };
    });
  const extraById = new Map<string, InjectionRow>(
    [...agentDojoRows, ...freshPrompts].map((row) => [row.id, row]),
  );
  const extraPattern = hai.injection.patternExtra.map(({ id, score }) => {
    const row = extraById.get(id)!;
    return { id, kind: row.kind, label: row.label, category: row.category, score };
  });
  const agentDojoPattern = extraPattern.filter((row) => row.kind === 'tool_output');
  const freshPattern = extraPattern.filter((row) => row.kind === 'prompt');
  if (heldBack.length > 0) {
    haiInjection = {
      heuristic: summarizeInjection('hai-guardrails heuristic', toRows(hai.injection.heuristic)),
      pattern: summarizeInjection('hai-guardrails pattern', toRows(hai.injection.pattern)),
    };
  }
  agentDojo.push(outOfDistribution('hai-guardrails pattern', agentDojoPattern, haiInjection?.pattern));
  freshPromptRates.push(
    outOfDistribution('hai-guardrails pattern', freshPattern, haiInjection?.pattern, 'prompt'),
  );
  competitorThroughput.push(
    { name: '@presidio-dev/hai-guardrails', what: 'PII guard', run: hai.throughput.pii },
    { name: '@presidio-dev/hai-guardrails', what: 'injection guard, pattern', run: hai.throughput.pattern },
    {
      name: '@presidio-dev/hai-guardrails',
      what: 'injection guard, heuristic',
      run: hai.throughput.heuristic,
    },
  );
} catch (error) {
  piiRuns.push({
    name: '@presidio-dev/hai-guardrails',
    version: '?',
    score: undefined,
    failures: 0,
    error: messageOf(error),
  });
  missing.push(`@presidio-dev/hai-guardrails did not run: ${messageOf(error)}`);
}

// ---------------------------------------------------------------------------------------------
// Report

const wardenPii = piiRuns.find((run) => run.name === 'warden')?.score;
const targets = {
  pii: TARGET_TYPES.map((type) => ({
    type,
    f1: wardenPii?.perType[type]?.f1 ?? Number.NaN,
    pass: (wardenPii?.perType[type]?.f1 ?? 0) >= TARGET_F1,
  })),
  injection:
    wardenInjection?.kinds.map((kind) => ({
      kind: kind.kind,
      tpr: kind.atThreshold.tpr,
      threshold: kind.threshold,
      pass: kind.pass,
    })) ?? [],
  speed:
    wardenSpeed === undefined
      ? undefined
      : {
          megabytesPerCpuSecond: megabytesPerCpuSecond(medianRun(wardenSpeed.all)),
          megabytesPerSecond: megabytesPerSecond(medianRun(wardenSpeed.all)),
          pass: megabytesPerCpuSecond(medianRun(wardenSpeed.all)) >= TARGET_MB_PER_SECOND,
        },
};
const environmentAtEnd = {
  ...environment,
  loadAverageAtEnd: loadavg().map((value) => Number(value.toFixed(2))),
  seconds: Math.round((Date.now() - started) / 1000),
};

if (JSON_OUTPUT) {
  const json = {
    environment: environmentAtEnd,
    synthetic: { file: syntheticFile, examples: examples.length, perType: PER_TYPE, gold },
    fresh: {
      examples: freshExamples.length,
      perType: FRESH_PER_TYPE,
      gold: countGold(freshExamples),
      warden: wardenFresh,
    },
    pii: piiRuns,
    unlabelled,
    injection: {
      heldBack: heldBack.length,
      overlap,
      warden: wardenInjection,
      hai: haiInjection,
      agentDojo,
      freshPrompts: freshPromptRates,
    },
    speed: {
      corpus: { documents: corpus.length, bytes: corpusBytes },
      warden: wardenSpeed,
      competitors: competitorThroughput,
    },
    targets,
    missing,
  };
  process.stdout.write(
    `${JSON.stringify(json, (_key, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? null : value), 2)}\n`,
  );
} else {
  const out: string[] = [];
  const say = (text = ''): void => void out.push(text);
  say(`# Inspection benchmark (${QUICK ? 'quick' : 'full'} run)`);
  say();
  say(
    `${environment.date}, Node ${environment.node}, ${environment.cores} × ${environment.cpu}; load average ${environment.loadAverageAtStart.join(' ')} at start, ${environmentAtEnd.loadAverageAtEnd.join(' ')} at end; ${environmentAtEnd.seconds} s.`,
  );
  say();
  say(
    `## 1. PII on the synthetic set (${examples.length} examples: ${PER_TYPE} per type and ${PER_TYPE} negatives; seed fixed)`,
  );
  say();
  if (wardenPii !== undefined) {
    say('Warden, every detector on (a finding counts when its type matches and its span overlaps a label):');
    say();
    say(wardenPiiTable(wardenPii));
    say();
    const wardenRun = piiRuns.find((run) => run.name === 'warden')!;
    say(
      `Negative examples with any PII finding: ${wardenPii.negativesFlagged} of ${wardenPii.negatives}. Findings of types the set does not contain: ${
        Object.entries(wardenPii.otherTypes)
          .map(([type, count]) => `${type} ${count}`)
          .join(', ') || 'none'
      }. Scans that failed closed: ${wardenRun.failures}.`,
    );
    say();
    const weakVariants = Object.entries(wardenPii.variants).filter(([, entry]) => entry.found < entry.gold);
    if (weakVariants.length > 0) {
      say('Spellings Warden misses (recall by type/variant, only those below 1):');
      say();
      say(
        table(
          ['type/variant', 'labelled', 'found', 'recall'],
          weakVariants
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, entry]) => [
              key,
              String(entry.gold),
              String(entry.found),
              fixed(entry.found / entry.gold),
            ]),
          ['l', 'r', 'r', 'r'],
        ),
      );
      say();
    }
    for (const type of PII_TYPES) {
      const entry = wardenPii.perType[type];
      if (entry === null || entry.f1 >= (TARGET_TYPES.includes(type) ? TARGET_F1 : 0.9)) continue;
      const samples = [
        ...(wardenPii.misses[type] ?? [])
          .slice(0, 3)
          .map(
            (sample) =>
              `  - missed ${JSON.stringify(sample.value)} (${sample.variant}) in ${JSON.stringify(sample.text)}`,
          ),
      ];
      samples.push(
        ...(wardenPii.falsePositives[type] ?? [])
          .slice(0, 3)
          .map(
            (sample) => `  - false ${type} ${JSON.stringify(sample.value)} in ${JSON.stringify(sample.text)}`,
          ),
      );
      if (samples.length > 0) say(`Examples for ${type} (synthetic data):\n${samples.join('\n')}\n`);
    }
  }
  if (wardenPii !== undefined && wardenFresh !== undefined) {
    const fresh = wardenFresh;
    say(
      `Warden on the fresh template family (bench/inspect/synthetic-fresh.ts: other sentences and record shapes, another seed; ${freshExamples.length} examples), beside the main set:`,
    );
    say();
    say(
      table(
        ['type', 'main P / R / F1', 'fresh labelled', 'fresh P / R / F1', 'fresh vs target'],
        PII_TYPES.map((type) => {
          const entry = fresh.perType[type];
          return [
            type,
            prf(wardenPii, type),
            String(entry?.gold ?? 0),
            prf(fresh, type),
            TARGET_TYPES.includes(type) && entry !== null ? passFail(entry.f1 >= TARGET_F1) : '',
          ];
        }),
        ['l', 'r', 'r', 'r', 'l'],
      ),
    );
    say();
    say(`Fresh negatives with any PII finding: ${fresh.negativesFlagged} of ${fresh.negatives}.`);
    say();
    for (const type of PII_TYPES) {
      const entry = fresh.perType[type];
      if (entry === null || entry.f1 >= (TARGET_TYPES.includes(type) ? TARGET_F1 : 0.9)) continue;
      const samples = (fresh.misses[type] ?? [])
        .slice(0, 3)
        .map(
          (sample) =>
            `  - missed ${JSON.stringify(sample.value)} (${sample.variant}) in ${JSON.stringify(sample.text)}`,
        );
      samples.push(
        ...(fresh.falsePositives[type] ?? [])
          .slice(0, 3)
          .map(
            (sample) => `  - false ${type} ${JSON.stringify(sample.value)} in ${JSON.stringify(sample.text)}`,
          ),
      );
      if (samples.length > 0) say(`Fresh examples for ${type}:\n${samples.join('\n')}\n`);
    }
  }
  say('Comparison, precision / recall / F1 (n/a: the library has no entity for the type):');
  say();
  const libraries = piiRuns.map((run) => `${run.name} ${run.version}`);
  const comparison = PII_TYPES.map((type) => [
    type,
    ...piiRuns.map((run) => (run.error !== undefined ? 'did not run' : prf(run.score, type))),
  ]);
  comparison.push([
    'micro, supported types',
    ...piiRuns.map((run) =>
      run.score === undefined
        ? '–'
        : `${fixed(run.score.micro.precision, 2)} / ${fixed(run.score.micro.recall, 2)} / ${fixed(run.score.micro.f1, 2)}`,
    ),
  ]);
  comparison.push([
    'negatives flagged',
    ...piiRuns.map((run) =>
      run.score === undefined ? '–' : `${run.score.negativesFlagged} / ${run.score.negatives}`,
    ),
  ]);
  comparison.push(['texts not aligned / failed', ...piiRuns.map((run) => String(run.failures))]);
  const piiThroughput = (name: string): string => {
    if (name === 'warden')
      return wardenSpeed === undefined
        ? '–'
        : `${fixed(megabytesPerCpuSecond(wardenSpeed.dataOnly[0]!), 2)} MB/s`;
    const entry = competitorThroughput.find((item) => item.name === name && item.what.startsWith('PII'));
    return entry === undefined ? '–' : `${fixed(megabytesPerCpuSecond(entry.run), 2)} MB/s`;
  };
  comparison.push([
    'throughput on the speed corpus (Warden: PII + secret detectors)',
    ...piiRuns.map((run) => piiThroughput(run.name)),
  ]);
  say(table(['type', ...libraries], comparison));
  say();
  say('Unlabelled PII in the shared datasets (no gold labels: counts of findings only, not accuracy):');
  say();
  say(
    table(
      ['source', 'texts', 'library', 'texts with findings', 'findings by type'],
      unlabelled.map((entry) => [
        entry.source,
        String(entry.texts),
        entry.library,
        String(entry.textsWithFindings),
        Object.entries(entry.counts)
          .sort(([, a], [, b]) => b - a)
          .map(([type, count]) => `${type} ${count}`)
          .join(', ') || '–',
      ]),
      ['l', 'r', 'l', 'r', 'l'],
    ),
  );
  say();
  say(`## 2. Prompt injection on the held-back split (${heldBack.length} rows of ${injectionRows.length})`);
  say();
  const rateRows: string[][] = [];
  for (const summary of [wardenInjection, haiInjection?.pattern, haiInjection?.heuristic]) {
    if (summary === undefined) continue;
    const name = summary.detector === 'warden' ? 'warden' : `${summary.detector} (${summary.scored} rows)`;
    for (const kind of summary.kinds) {
      const target =
        summary.detector === 'warden' && kind.pass !== undefined
          ? `${passFail(kind.pass)} (TPR ≥ ${TARGET_TPR} at FPR ≤ ${MAX_FPR})`
          : '';
      rateRows.push(ratesRow(name, kind.kind, kind.at05, kind.threshold, kind.atThreshold, target));
    }
  }
  say(table(RATES_HEADER, rateRows, RATES_ALIGN));
  say();
  const promptPositives = heldBack.filter((row) => row.kind === 'prompt' && row.label === 1).length;
  if (heldBack.length > 0 && promptPositives < 30) {
    say(
      `The prompt kind has only ${promptPositives} injected rows in the held-back split: its TPR moves by ${fixed(1 / Math.max(1, promptPositives), 2)} per row.`,
    );
  }
  if (overlap !== undefined) {
    say(
      `The split is by row, and BIPIA reuses attack texts and contexts across rows: ${overlap.attackInTraining} of ${overlap.positives} held-back injected tool outputs carry an attack text that also occurs in a training row, and ${overlap.contextInTraining} of ${overlap.negatives} held-back clean contexts also occur (with an attack inserted) in a training row. These figures are in-distribution; the AgentDojo rows below are not.`,
    );
  }
  say();
  if (agentDojo.length > 0) {
    say(
      `AgentDojo banking tool outputs, not part of the development data (${agentDojo[0]!.at05.positives} attacked outputs with the important_instructions payload, ${agentDojo[0]!.at05.negatives} clean outputs):`,
    );
    say();
    say(outOfDistributionTable(agentDojo, 'held-back tool_output threshold'));
    say();
  }
  if (freshPromptRates.length > 0) {
    say(
      `Prompts written for the benchmark and never trained on (bench/inspect/fresh-prompts.ts: ${freshPromptRates[0]!.at05.positives} attacks, ${freshPromptRates[0]!.at05.negatives} everyday requests such as translations, code, lists and trivia):`,
    );
    say();
    say(outOfDistributionTable(freshPromptRates, 'held-back prompt threshold'));
    say();
  }
  if (wardenInjection !== undefined && wardenInjection.failures > 0)
    say(`Warden failed closed on ${wardenInjection.failures} rows (scored as detected).\n`);
  if (wardenInjection !== undefined) {
    const toolThreshold = wardenInjection.thresholds[1] ?? Number.NaN;
    const pattern = haiInjection?.pattern.categories;
    say(
      `Detection per attack category, tool_output (Warden at 0.5 and at ${fprThreshold(toolThreshold)}, the tool_output threshold for FPR ≤ ${MAX_FPR}):`,
    );
    say();
    say(
      table(
        ['category', 'positives', 'warden @0.5', `warden ${fprThreshold(toolThreshold)}`, 'hai pattern @0.5'],
        wardenInjection.categories.map((entry) => {
          const hai05 = pattern?.find((item) => item.category === entry.category);
          return [
            entry.category,
            String(entry.positives),
            fixed((entry.detected[0] ?? 0) / entry.positives, 2),
            fixed((entry.detected[1] ?? 0) / entry.positives, 2),
            hai05 === undefined ? '–' : fixed((hai05.detected[0] ?? 0) / hai05.positives, 2),
          ];
        }),
        ['l', 'r', 'r', 'r', 'r'],
      ),
    );
    say();
  }
  say(
    `## 3. Speed (corpus: ${corpus.length} tool results, ${(corpusBytes / 2 ** 20).toFixed(2)} MB; MB = 2^20 bytes of UTF-8; one thread)`,
  );
  say();
  if (wardenSpeed !== undefined) {
    const median = medianRun(wardenSpeed.all);
    say(
      table(
        ['measure', 'value', 'target'],
        [
          [
            'Warden scanText, every detector + injection scorer',
            `${fixed(megabytesPerCpuSecond(median), 2)} MB per CPU second (passes: ${wardenSpeed.all.map((run) => fixed(megabytesPerCpuSecond(run), 2)).join(', ')}); wall clock ${fixed(megabytesPerSecond(median), 2)} MB/s`,
            `${passFail(megabytesPerCpuSecond(median) >= TARGET_MB_PER_SECOND)} (≥ ${TARGET_MB_PER_SECOND} MB/s per core)`,
          ],
          [
            'Warden scanText, PII + secrets only',
            `${fixed(megabytesPerCpuSecond(wardenSpeed.dataOnly[0]!), 2)} MB per CPU second; wall clock ${fixed(megabytesPerSecond(wardenSpeed.dataOnly[0]!), 2)} MB/s`,
            '',
          ],
          [
            `Warden latency, ${LATENCY_SIZE}-character tool result (${wardenSpeed.latency.iterations} iterations)`,
            `p50 ${wardenSpeed.latency.p50.toFixed(0)} µs, p99 ${wardenSpeed.latency.p99.toFixed(0)} µs, mean ${wardenSpeed.latency.mean.toFixed(0)} µs`,
            '',
          ],
        ],
      ),
    );
    say();
    say('Warden by kind of tool result (one more pass, every detector + injection scorer):');
    say();
    say(
      table(
        ['kind', ...THROUGHPUT_HEADER],
        wardenSpeed.byKind.map(({ kind, run }) =>
          throughputRow(kind, '', run).filter((_, index) => index !== 1),
        ),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    say();
    const totalSeconds = wardenSpeed.byDetector.reduce((sum, entry) => sum + entry.run.cpuSeconds, 0);
    say(
      "Warden, each detector in a scanner of its own over the corpus (where the time goes; shared work such as the text profile is in every row, so the shares are of the rows' sum, not of a full scan):",
    );
    say();
    say(
      table(
        ['detector', 'category', 'CPU s', 'MB/s (CPU)', 'share'],
        [...wardenSpeed.byDetector]
          .sort((a, b) => b.run.cpuSeconds - a.run.cpuSeconds)
          .map(({ name, category, run }) => [
            name,
            category,
            run.cpuSeconds.toFixed(3),
            fixed(megabytesPerCpuSecond(run), 1),
            `${((100 * run.cpuSeconds) / totalSeconds).toFixed(1)}%`,
          ]),
        ['l', 'l', 'r', 'r', 'r'],
      ),
    );
    say();
  }
  say(
    'Other libraries on the same corpus (time-boxed; one thread except hai-guardrails heuristic, which uses piscina workers):',
  );
  say();
  say(
    table(
      ['library', 'what', ...THROUGHPUT_HEADER],
      competitorThroughput.map((entry) => throughputRow(entry.name, entry.what, entry.run)),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  say();
  say('## Targets');
  say();
  for (const entry of targets.pii) {
    const verdict = wardenPii === undefined ? 'not measured' : passFail(entry.pass);
    say(`- PII ${entry.type}: F1 ${fixed(entry.f1)} → ${verdict} (≥ ${TARGET_F1})`);
  }
  for (const entry of targets.injection) {
    say(
      `- injection ${entry.kind}: TPR ${fixed(entry.tpr)} at score ${fprThreshold(entry.threshold)} (FPR ≤ ${MAX_FPR}) → ${entry.pass === undefined ? 'no positives' : passFail(entry.pass)} (≥ ${TARGET_TPR})`,
    );
  }
  if (targets.speed !== undefined)
    say(
      `- speed: ${fixed(targets.speed.megabytesPerCpuSecond, 2)} MB per CPU second (wall clock ${fixed(targets.speed.megabytesPerSecond, 2)} MB/s) → ${passFail(targets.speed.pass)} (≥ ${TARGET_MB_PER_SECOND} MB/s per core)`,
    );
  if (missing.length > 0) {
    say();
    say('## Not measured');
    say();
    for (const item of missing) say(`- ${item}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
