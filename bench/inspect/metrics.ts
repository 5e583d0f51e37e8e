/**
 * Scoring and timing for the inspection benchmark: span-overlap precision/recall/F1 per PII type
 * against the synthetic set's labels, detection/false-positive rates of injection scores with the
 * threshold that keeps the false-positive rate under a bound, and throughput in wall-clock and CPU time.
 */
import { performance } from 'node:perf_hooks';
import { PII_TYPES } from './synthetic.js';
import type { PiiType, SyntheticExample } from './synthetic.js';

/** A finding as the benchmark compares it: any detector's type name (already mapped to ours where possible). */
export interface PredictedSpan {
  type: string;
  start: number;
  end: number;
}

export interface TypeScore {
  type: PiiType;
  /** Labelled values of this type. */
  gold: number;
  /** Findings of this type. */
  predicted: number;
  /** Findings that overlap a label of the same type. */
  truePositives: number;
  /** Labels overlapped by at least one finding of the same type. */
  found: number;
  /** Labels matched exactly (same start and end) by a finding of the same type. */
  exact: number;
  /** NaN when nothing was predicted. */
  precision: number;
  recall: number;
  f1: number;
  /** Of the labels found, the share matched with the exact span. */
  exactRate: number;
}

/** A missed label or a false finding, quoted from the (synthetic) text for diagnosis. */
export interface ErrorSample {
  id: string;
  type: string;
  variant?: string;
  value: string;
  text: string;
}

export interface PiiScore {
  /** Per type; `null` when the detector does not support the type ("n/a"). */
  perType: Record<PiiType, TypeScore | null>;
  /** Micro average over the types the detector supports. */
  micro: { precision: number; recall: number; f1: number };
  /** Findings of types the set does not label (e.g. `vn_cmnd`, secrets), by type: all are false. */
  otherTypes: Record<string, number>;
  /** Negative examples (no PII at all) with at least one PII finding of a supported type. */
  negativesFlagged: number;
  negatives: number;
  /** Recall per `type/variant`, for diagnosis. */
  variants: Record<string, { gold: number; found: number }>;
  misses: Record<string, ErrorSample[]>;
  falsePositives: Record<string, ErrorSample[]>;
}

const SAMPLES_PER_TYPE = 5;

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? Number.NaN : numerator / denominator;
}

function f1Of(precision: number, recall: number): number {
  const p = Number.isNaN(precision) ? 0 : precision;
  const r = Number.isNaN(recall) ? 0 : recall;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

const isPiiType = (type: string): type is PiiType => (PII_TYPES as readonly string[]).includes(type);

/**
 * Scores predictions (aligned with `examples` by index) against the labels. A finding is a true
 * positive when a label of the same type overlaps it; a label is found when a finding of the same
 * type overlaps it. Findings of unsupported types are ignored, so a library is not charged for what
 * it never claimed to detect.
 */
export function scorePii(
  examples: readonly SyntheticExample[],
  predictions: readonly (readonly PredictedSpan[])[],
  supported: ReadonlySet<PiiType>,
): PiiScore {
  const counts = new Map<
    PiiType,
    { gold: number; predicted: number; truePositives: number; found: number; exact: number }
  >();
  for (const type of supported)
    counts.set(type, { gold: 0, predicted: 0, truePositives: 0, found: 0, exact: 0 });
  const otherTypes: Record<string, number> = {};
  const variants: Record<string, { gold: number; found: number }> = {};
  const misses: Record<string, ErrorSample[]> = {};
  const falsePositives: Record<string, ErrorSample[]> = {};
  let negatives = 0;
  let negativesFlagged = 0;

  examples.forEach((example, index) => {
    const predicted = predictions[index] ?? [];
    if (example.focus === 'negative') negatives += 1;
    let flagged = false;
    for (const finding of predicted) {
      if (!isPiiType(finding.type)) {
        otherTypes[finding.type] = (otherTypes[finding.type] ?? 0) + 1;
        continue;
      }
      const count = counts.get(finding.type);
      if (count === undefined) continue;
      flagged = true;
      count.predicted += 1;
      if (example.spans.some((span) => span.type === finding.type && overlaps(span, finding))) {
        count.truePositives += 1;
      } else {
        const list = (falsePositives[finding.type] ??= []);
        if (list.length < SAMPLES_PER_TYPE) {
          list.push({
            id: example.id,
            type: finding.type,
            value: example.text.slice(finding.start, finding.end),
            text: example.text,
          });
        }
      }
    }
    if (flagged && example.focus === 'negative') negativesFlagged += 1;
    for (const span of example.spans) {
      const count = counts.get(span.type);
      if (count === undefined) continue;
      count.gold += 1;
      const variantKey = `${span.type}/${span.variant}`;
      const variant = (variants[variantKey] ??= { gold: 0, found: 0 });
      variant.gold += 1;
      const same = predicted.filter((finding) => finding.type === span.type && overlaps(span, finding));
      if (same.length === 0) {
        const list = (misses[span.type] ??= []);
        if (list.length < SAMPLES_PER_TYPE) {
          list.push({
            id: example.id,
            type: span.type,
            variant: span.variant,
            value: example.text.slice(span.start, span.end),
            text: example.text,
          });
        }
        continue;
      }
      count.found += 1;
      variant.found += 1;
      if (same.some((finding) => finding.start === span.start && finding.end === span.end)) count.exact += 1;
    }
  });

  const perType = Object.fromEntries(PII_TYPES.map((type) => [type, null])) as Record<
    PiiType,
    TypeScore | null
  >;
  let predictedTotal = 0;
  let truePositivesTotal = 0;
  let goldTotal = 0;
  let foundTotal = 0;
  for (const [type, count] of counts) {
    const precision = ratio(count.truePositives, count.predicted);
    const recall = ratio(count.found, count.gold);
    perType[type] = {
      type,
      ...count,
      precision,
      recall,
      f1: f1Of(precision, recall),
      exactRate: ratio(count.exact, count.found),
    };
    predictedTotal += count.predicted;
    truePositivesTotal += count.truePositives;
    goldTotal += count.gold;
    foundTotal += count.found;
  }
  const precision = ratio(truePositivesTotal, predictedTotal);
  const recall = ratio(foundTotal, goldTotal);
  return {
    perType,
    micro: { precision, recall, f1: f1Of(precision, recall) },
    otherTypes,
    negativesFlagged,
    negatives,
    variants,
    misses,
    falsePositives,
  };
}

/** One scored row of the injection data. */
export interface ScoredRow {
  id: string;
  kind: 'prompt' | 'tool_output';
  label: 0 | 1;
  category: string | null;
  score: number;
}

export interface DetectionRates {
  positives: number;
  negatives: number;
  /** Detection rate (true-positive rate) at `threshold`. */
  tpr: number;
  fpr: number;
  threshold: number;
}

/** TPR and FPR when a row counts as detected at `score >= threshold`. */
export function ratesAt(rows: readonly ScoredRow[], threshold: number): DetectionRates {
  let positives = 0;
  let negatives = 0;
  let truePositives = 0;
  let falsePositives = 0;
  for (const row of rows) {
    const detected = row.score >= threshold;
    if (row.label === 1) {
      positives += 1;
      if (detected) truePositives += 1;
    } else {
      negatives += 1;
      if (detected) falsePositives += 1;
    }
  }
  return {
    positives,
    negatives,
    tpr: ratio(truePositives, positives),
    fpr: ratio(falsePositives, negatives),
    threshold,
  };
}

/**
 * The lowest threshold whose false-positive rate is at most `maxFpr` (detected at `score >=
 * threshold`): just above the score of the negative that would be one too many. Returns 0 when
 * every negative may be flagged, and NaN without negatives.
 */
export function thresholdForFpr(rows: readonly ScoredRow[], maxFpr: number): number {
  const negativeScores = rows.filter((row) => row.label === 0).map((row) => row.score);
  if (negativeScores.length === 0) return Number.NaN;
  negativeScores.sort((a, b) => b - a);
  const allowed = Math.floor(maxFpr * negativeScores.length + 1e-9);
  if (allowed >= negativeScores.length) return 0;
  return (negativeScores[allowed] as number) + 1e-9;
}

/** Detection per category of the positive rows, at each given threshold. */
export function detectionByCategory(
  rows: readonly ScoredRow[],
  thresholds: readonly number[],
): { category: string; positives: number; detected: number[] }[] {
  const byCategory = new Map<string, { positives: number; detected: number[] }>();
  for (const row of rows) {
    if (row.label !== 1) continue;
    const key = row.category ?? '(none)';
    const entry = byCategory.get(key) ?? { positives: 0, detected: thresholds.map(() => 0) };
    entry.positives += 1;
    thresholds.forEach((threshold, index) => {
      if (row.score >= threshold) entry.detected[index] = (entry.detected[index] as number) + 1;
    });
    byCategory.set(key, entry);
  }
  return [...byCategory.entries()]
    .map(([category, entry]) => ({ category, ...entry }))
    .sort((a, b) => a.category.localeCompare(b.category));
}

/** One throughput measurement: documents and UTF-8 bytes processed in `seconds` of wall-clock time. */
export interface Throughput {
  documents: number;
  bytes: number;
  seconds: number;
  /**
   * CPU time the process spent (user + system, every thread): on a shared machine this, not the
   * wall clock, says what one core can do.
   */
  cpuSeconds: number;
}

/** CPU seconds (user + system) since `start`. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Runs `work` over the documents in turn until they are done or `seconds` have passed. */
export async function timeBoxed(
  documents: readonly string[],
  seconds: number,
  work: (text: string) => Promise<unknown>,
): Promise<Throughput> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let count = 0;
  let bytes = 0;
  for (const document of documents) {
    await work(document);
    count += 1;
    bytes += Buffer.byteLength(document, 'utf8');
    if (performance.now() - started > seconds * 1000) break;
  }
  return {
    documents: count,
    bytes,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpu),
  };
}

/** Percentile (0..1) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
