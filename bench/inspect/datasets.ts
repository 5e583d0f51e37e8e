/**
 * Readers for the shared datasets the inspection benchmark uses (never copied into the repository):
 * the prompt-injection development rows and the texts that carry real-looking PII without labels
 * (BIPIA clean email/table/code contexts, AgentDojo banking tool outputs).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Root of the shared datasets (`BENCH_DATASETS` overrides it). */
export const DATASETS = process.env.BENCH_DATASETS ?? '/work/shared/datasets';

export interface InjectionRow {
  id: string;
  text: string;
  /** 1 = carries a prompt injection. */
  label: 0 | 1;
  kind: 'prompt' | 'tool_output';
  source: string;
  category: string | null;
  /** Provenance; for BIPIA rows the task, the context and where the attack was inserted. */
  meta?: { bipia_task?: string; context_index?: number; attack_span?: [number, number] };
}

/** Every row of `injection/*.jsonl`, in file then line order. */
export async function loadInjectionRows(): Promise<InjectionRow[]> {
  const directory = join(DATASETS, 'injection');
  const files = (await readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort();
  const rows: InjectionRow[] = [];
  for (const file of files) {
    const lines = (await readFile(join(directory, file), 'utf8')).split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as InjectionRow;
      if (
        (row.label !== 0 && row.label !== 1) ||
        (row.kind !== 'prompt' && row.kind !== 'tool_output') ||
        typeof row.text !== 'string'
      ) {
        throw new Error(
          `${file}: row ${row.id} does not have the documented shape (label 0/1, kind prompt/tool_output, text)`,
        );
      }
      rows.push({ ...row, category: row.category ?? null });
    }
  }
  return rows;
}

/** A group of unlabelled texts: where they come from and the texts. */
export interface TextGroup {
  source: string;
  texts: string[];
}

/**
 * Texts with PII in them but no labels: the clean BIPIA contexts (label 0 rows of the tool-output
 * file, one group per task) and the clean outputs of the AgentDojo banking traces.
 */
export async function loadUnlabelledTexts(rows: readonly InjectionRow[]): Promise<TextGroup[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    if (row.kind !== 'tool_output' || row.label !== 0 || row.category?.startsWith('clean_context:') !== true)
      continue;
    const source = `BIPIA ${row.category.slice('clean_context:'.length)} contexts`;
    const texts = groups.get(source) ?? [];
    texts.push(row.text);
    groups.set(source, texts);
  }
  const result = [...groups.entries()].map(([source, texts]) => ({ source, texts }));
  const banking = JSON.parse(await readFile(join(DATASETS, 'agentdojo', 'banking.json'), 'utf8')) as {
    user_tasks: { trace: { output_clean: string }[] }[];
    injection_tasks: { ground_truth: { output_clean?: string }[] }[];
  };
  const outputs = new Set<string>();
  for (const task of banking.user_tasks) for (const step of task.trace) outputs.add(step.output_clean);
  for (const task of banking.injection_tasks)
    for (const step of task.ground_truth) if (step.output_clean !== undefined) outputs.add(step.output_clean);
  result.push({
    source: 'AgentDojo banking tool outputs',
    texts: [...outputs].filter((text) => text.trim() !== '' && text !== 'None'),
  });
  return result;
}

/**
 * How much of the held-back tool_output split the training rows already show: BIPIA inserts the
 * same attack texts into many contexts and every context into several rows, and the split is by row,
 * so a held-back row's attack text or context is usually also in a training row.
 */
export function heldBackOverlap(
  rows: readonly InjectionRow[],
  isHeldBack: (id: string) => boolean,
): { positives: number; attackInTraining: number; negatives: number; contextInTraining: number } {
  const attackOf = (row: InjectionRow): string | undefined => {
    const span = row.meta?.attack_span;
    return span === undefined ? undefined : row.text.slice(span[0], span[1]).trim();
  };
  const contextOf = (row: InjectionRow): string | undefined =>
    row.meta?.bipia_task === undefined ? undefined : `${row.meta.bipia_task}/${row.meta.context_index}`;
  const trainingAttacks = new Set<string>();
  const trainingContexts = new Set<string>();
  for (const row of rows) {
    if (row.kind !== 'tool_output' || isHeldBack(row.id)) continue;
    const attack = attackOf(row);
    if (attack !== undefined) trainingAttacks.add(attack);
    const context = contextOf(row);
    if (context !== undefined) trainingContexts.add(context);
  }
  const result = { positives: 0, attackInTraining: 0, negatives: 0, contextInTraining: 0 };
  for (const row of rows) {
    if (row.kind !== 'tool_output' || !isHeldBack(row.id)) continue;
    if (row.label === 1) {
      result.positives += 1;
      const attack = attackOf(row);
      if (attack !== undefined && trainingAttacks.has(attack)) result.attackInTraining += 1;
    } else {
      result.negatives += 1;
      const context = contextOf(row);
      if (context !== undefined && trainingContexts.has(context)) result.contextInTraining += 1;
    }
  }
  return result;
}

/**
 * Tool outputs of the AgentDojo banking suite as injection rows: every distinct attacked output
 * (AgentDojo's `important_instructions` attack, label 1) and every distinct clean output (label 0).
 * Not part of the injection development data, so no detector was tuned on it.
 */
export async function loadAgentDojoInjection(): Promise<InjectionRow[]> {
  const banking = JSON.parse(await readFile(join(DATASETS, 'agentdojo', 'banking.json'), 'utf8')) as {
    user_tasks: {
      trace: { output_clean: string }[];
      attack_outputs: Record<string, { changed_steps: { output: string }[] }>;
    }[];
  };
  const attacked = new Set<string>();
  const clean = new Set<string>();
  for (const task of banking.user_tasks) {
    for (const step of task.trace)
      if (step.output_clean.trim() !== '' && step.output_clean !== 'None') clean.add(step.output_clean);
    for (const outcome of Object.values(task.attack_outputs))
      for (const step of outcome.changed_steps) attacked.add(step.output);
  }
  const source = 'sequrity-ai/agentdojo:banking.json';
  return [
    ...[...attacked].map((text, index) => ({
      id: `agentdojo-banking-attacked-${index}`,
      text,
      label: 1 as const,
      kind: 'tool_output' as const,
      source,
      category: 'important_instructions',
    })),
    ...[...clean].map((text, index) => ({
      id: `agentdojo-banking-clean-${index}`,
      text,
      label: 0 as const,
      kind: 'tool_output' as const,
      source,
      category: null,
    })),
  ];
}
