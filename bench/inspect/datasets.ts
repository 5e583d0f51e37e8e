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
