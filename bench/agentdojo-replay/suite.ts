/**
 * AgentDojo replay suites (format_version 1, see ../shared/datasets/agentdojo/README.md): reading a
 * suite file with a size limit and a schema, and turning its traces into the call sequences the
 * replay sends. Nothing here knows a particular suite; every name comes from the file.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';

/** Suite files are a few hundred kB; refuse anything far larger than a real one. */
export const MAX_SUITE_BYTES = 64 * 1024 * 1024;

const jsonObject = z.record(z.string(), z.unknown());
const identifier = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)');

const traceStepSchema = z.object({
  function: identifier,
  args: jsonObject,
  output_clean: z.string(),
  output_injected: z.string().optional(),
  args_injected: jsonObject.optional(),
});

const changedStepSchema = z.object({
  step: z.number().int().min(0),
  output: z.string(),
  args: jsonObject.optional(),
});

const userTaskSchema = z.object({
  id: identifier,
  prompt: z.string(),
  trace: z.array(traceStepSchema),
  first_injected_step: z.number().int().min(0).nullable().optional(),
  utility_ok: z.boolean(),
  utility_ok_injected: z.boolean().optional(),
  attack_outputs: z.record(
    z.string(),
    z.object({ changed_steps: z.array(changedStepSchema), utility_ok: z.boolean() }),
  ),
});

const groundTruthCallSchema = z.object({
  function: identifier,
  args: jsonObject,
  output_clean: z.string(),
  error: z.string().nullable().optional(),
});

const injectionTaskSchema = z.object({
  id: identifier,
  goal: z.string(),
  ground_truth: z.array(groundTruthCallSchema),
  security_ok: z.boolean().optional(),
});

const suiteSchema = z.object({
  format_version: z.literal(1),
  suite: identifier,
  benchmark_version: z.string().optional(),
  tools: z.array(z.object({ name: identifier, description: z.string(), parameters: jsonObject })).min(1),
  user_tasks: z.array(userTaskSchema).min(1),
  injection_tasks: z.array(injectionTaskSchema),
});

export type Suite = z.infer<typeof suiteSchema>;
export type UserTask = Suite['user_tasks'][number];
export type InjectionTask = Suite['injection_tasks'][number];

/** One call the replay makes, with the output the trace server answers it with. */
export interface ReplayStep {
  function: string;
  args: Record<string, unknown>;
  output: string;
  isError: boolean;
}

/** Reads and validates a suite file; throws an Error naming the file and the first problems. */
export async function loadSuite(path: string): Promise<Suite> {
  const size = (await stat(path)).size;
  if (size > MAX_SUITE_BYTES) {
    throw new Error(`${path}: ${size} bytes, more than the ${MAX_SUITE_BYTES} a suite file may have`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`${path}: not an AgentDojo replay suite (format_version 1): ${problems}`);
  }
  const suite = parsed.data;
  const toolNames = new Set(suite.tools.map((tool) => tool.name));
  const unknown = [
    ...suite.user_tasks.flatMap((task) => task.trace.map((step) => step.function)),
    ...suite.injection_tasks.flatMap((task) => task.ground_truth.map((call) => call.function)),
  ].filter((name) => !toolNames.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `${path}: traces call tools the suite does not list: ${[...new Set(unknown)].join(', ')}`,
    );
  }
  return suite;
}

/** The user task's calls with the outputs of the clean environment. */
export function cleanSteps(task: UserTask): ReplayStep[] {
  return task.trace.map((step) => ({
    function: step.function,
    args: step.args,
    output: step.output_clean,
    isError: false,
  }));
}

/**
 * The user task's calls with the outputs AgentDojo's attack produces for `injectionTaskId`, and the
 * index of the first step whose output carries the attack (null when the attack changes no output,
 * i.e. the agent never sees it).
 */
export function attackedSteps(
  task: UserTask,
  injectionTaskId: string,
): { steps: ReplayStep[]; firstAttackedStep: number | null; utilityOk: boolean } {
  const steps = cleanSteps(task);
  const attack = task.attack_outputs[injectionTaskId];
  if (attack === undefined) return { steps, firstAttackedStep: null, utilityOk: task.utility_ok };
  let first: number | null = null;
  for (const changed of attack.changed_steps) {
    const step = steps[changed.step];
    if (step === undefined) {
      throw new Error(
        `${task.id}: attack_outputs.${injectionTaskId} changes step ${changed.step}, which the trace lacks`,
      );
    }
    step.output = changed.output;
    if (changed.args !== undefined) step.args = changed.args;
    first = first === null ? changed.step : Math.min(first, changed.step);
  }
  return { steps, firstAttackedStep: first, utilityOk: attack.utility_ok };
}

/** The injection task's ground-truth calls, answered with their recorded outputs. */
export function injectionSteps(task: InjectionTask): ReplayStep[] {
  return task.ground_truth.map((call) => ({
    function: call.function,
    args: call.args,
    output: call.error ?? call.output_clean,
    isError: typeof call.error === 'string',
  }));
}
