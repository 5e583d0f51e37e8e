/**
 * Console report of the inspection benchmark: Markdown tables (pasteable into bench/RESULTS.md)
 * with PASS/FAIL against the targets.
 */
import type { DetectionRates, PiiScore, Throughput as RunThroughput } from './metrics.js';
import { PII_TYPES, TARGET_F1, TARGET_TYPES } from './synthetic.js';
import type { PiiType } from './synthetic.js';

/** One line of a Markdown table per row. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const rule = header.map((_, index) => ((align?.[index] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** A ratio with `digits` decimals; NaN as an en dash. */
export function fixed(value: number | undefined, digits = 3): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

export const passFail = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

/** MB per wall-clock second, MB = 2^20 bytes of UTF-8. */
export function megabytesPerSecond(run: { bytes: number; seconds: number }): number {
  return run.seconds === 0 ? Number.NaN : run.bytes / 2 ** 20 / run.seconds;
}

/** MB per CPU second (what one core does, whatever else runs on the machine). */
export function megabytesPerCpuSecond(run: { bytes: number; cpuSeconds: number }): number {
  return run.cpuSeconds === 0 ? Number.NaN : run.bytes / 2 ** 20 / run.cpuSeconds;
}

/** `P / R / F1` of one type for one library, or `n/a`. */
export function prf(score: PiiScore | undefined, type: PiiType): string {
  if (score === undefined) return 'not run';
  const entry = score.perType[type];
  if (entry === null) return 'n/a';
  return `${fixed(entry.precision, 2)} / ${fixed(entry.recall, 2)} / ${fixed(entry.f1, 2)}`;
}

/** Warden's per-type table with the targets. */
export function wardenPiiTable(score: PiiScore): string {
  const rows = PII_TYPES.map((type) => {
    const entry = score.perType[type];
    if (entry === null) return [type, '–', '–', '–', '–', '–', '–', '–', ''];
    const target = TARGET_TYPES.includes(type)
      ? `${passFail(entry.f1 >= TARGET_F1)} (F1 ≥ ${TARGET_F1})`
      : '';
    return [
      type,
      String(entry.gold),
      String(entry.found),
      String(entry.predicted - entry.truePositives),
      fixed(entry.precision),
      fixed(entry.recall),
      fixed(entry.f1),
      fixed(entry.exactRate),
      target,
    ];
  });
  return table(
    ['type', 'labelled', 'found', 'false findings', 'precision', 'recall', 'F1', 'exact span', 'target'],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

/** A threshold from `thresholdForFpr` (just above a negative's score), as `> score`. */
export function fprThreshold(threshold: number): string {
  if (Number.isNaN(threshold)) return '–';
  return threshold === 0 ? '≥ 0' : `> ${(threshold - 1e-9).toFixed(4)}`;
}

/** Rates of one detector on one kind, as a table row. */
export function ratesRow(
  name: string,
  kind: string,
  at05: DetectionRates,
  threshold: number,
  atThreshold: DetectionRates,
  target: string,
): string[] {
  return [
    name,
    kind,
    String(at05.positives),
    String(at05.negatives),
    fixed(at05.tpr),
    fixed(at05.fpr),
    fprThreshold(threshold),
    fixed(atThreshold.tpr),
    fixed(atThreshold.fpr),
    target,
  ];
}

export const RATES_HEADER = [
  'detector',
  'kind',
  'positives',
  'negatives',
  'TPR @0.5',
  'FPR @0.5',
  'threshold for FPR ≤ 0.02',
  'TPR there',
  'FPR there',
  'target',
];
export const RATES_ALIGN: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'];

/** A rate with enough digits to tell slow libraries apart (0.00021, 0.46, 22.6). */
export function rate(value: number): string {
  if (Number.isNaN(value)) return '–';
  if (value >= 10) return value.toFixed(1);
  if (value >= 0.1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** A throughput line: documents, MB, wall seconds, MB/s, CPU seconds, MB per CPU second. */
export function throughputRow(name: string, what: string, run: RunThroughput): string[] {
  return [
    name,
    what,
    String(run.documents),
    (run.bytes / 2 ** 20).toFixed(2),
    run.seconds.toFixed(2),
    rate(megabytesPerSecond(run)),
    run.cpuSeconds.toFixed(2),
    rate(megabytesPerCpuSecond(run)),
  ];
}

export const THROUGHPUT_HEADER = ['documents', 'MB', 'wall s', 'MB/s (wall)', 'CPU s', 'MB/s (CPU)'];
