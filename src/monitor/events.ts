/**
 * Reads audit entries as monitoring events: tool-call intents, refusals and outcomes, and model calls.
 * Only trusted parts become names: the agent comes from the `agent:<name>` actor (an authenticated
 * identity), and a tool is named only when the config declares it (a refused call's subject is raw
 * client input), so metric labels and baselines stay bounded.
 */
import type { AuditEntryRecord } from '../store/index.js';

/** How a tool-call intent was decided, as metrics label it. */
export type IntentDecision = 'allowed' | 'denied' | 'approval_required' | 'shadow_denied';

export type MonitorEvent =
  | {
      kind: 'intent';
      agent: string;
      /** The declared tool, or null when the subject names no declared tool. */
      tool: string | null;
      decision: IntentDecision;
      /** An approved call going ahead (its request was counted already as approval_required). */
      approved: boolean;
      time: number;
    }
  | { kind: 'refused'; agent: string; tool: string | null; code: string; time: number }
  | {
      kind: 'completed';
      agent: string;
      tool: string | null;
      durationMs: number | null;
      resultBytes: number;
      isError: boolean;
      time: number;
    }
  | { kind: 'failed'; agent: string; tool: string | null; durationMs: number | null; time: number }
  | { kind: 'model'; agent: string; outcome: string; durationMs: number | null; time: number };

const INTENT_TYPES: Readonly<Record<string, IntentDecision>> = {
  'tool-call-allowed': 'allowed',
  'tool-call-denied': 'denied',
  'tool-call-approval-required': 'approval_required',
  'tool-call-shadow-denied': 'shadow_denied',
};

/** Audit event types the monitor reads (for the rebuild query). */
export const MONITORED_TYPES: readonly string[] = [
  ...Object.keys(INTENT_TYPES),
  'tool-call-refused',
  'tool-call-completed',
  'tool-call-failed',
];

/** The `model-call-*` outcomes counted by name; any other is counted as `other`. */
const MODEL_OUTCOMES = new Set(['allowed', 'denied', 'refused', 'completed', 'failed', 'blocked']);

const AGENT_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * The monitoring event an audit entry stands for, or null for entries the monitor does not read.
 * `declaredTools` holds the exposed names (`server__tool`) of the tools in the config.
 */
export function toMonitorEvent(
  entry: AuditEntryRecord,
  declaredTools: ReadonlySet<string>,
): MonitorEvent | null {
  if (!entry.actor.startsWith('agent:')) return null;
  const agent = entry.actor.slice('agent:'.length);
  if (!AGENT_NAME.test(agent)) return null;
  const time = Date.parse(entry.time);
  if (!Number.isFinite(time)) return null;
  const type = entry.type;
  if (type.startsWith('model-call-')) {
    const outcome = type.slice('model-call-'.length);
    return {
      kind: 'model',
      agent,
      outcome: MODEL_OUTCOMES.has(outcome) ? outcome : 'other',
      // The LLM proxy records `latencyMs`.
      durationMs: milliseconds(entry.detail.latencyMs ?? entry.detail.durationMs),
      time,
    };
  }
  if (!type.startsWith('tool-call-')) return null;
  const subject = entry.subject ?? '';
  const named = subject.startsWith('tool:') ? subject.slice('tool:'.length) : '';
  const tool = declaredTools.has(named) ? named : null;
  const decision = INTENT_TYPES[type];
  if (decision !== undefined) {
    const approved = decision === 'allowed' && typeof entry.detail.approvalId === 'string';
    return { kind: 'intent', agent, tool, decision, approved, time };
  }
  switch (type) {
    case 'tool-call-refused': {
      const code = entry.detail.code;
      return { kind: 'refused', agent, tool, code: typeof code === 'string' ? code : 'unknown', time };
    }
    case 'tool-call-completed': {
      const bytes = entry.detail.resultBytes;
      return {
        kind: 'completed',
        agent,
        tool,
        durationMs: milliseconds(entry.detail.durationMs),
        resultBytes: typeof bytes === 'number' && Number.isFinite(bytes) && bytes > 0 ? bytes : 0,
        isError: entry.detail.isError === true,
        time,
      };
    }
    case 'tool-call-failed':
      return { kind: 'failed', agent, tool, durationMs: milliseconds(entry.detail.durationMs), time };
    default:
      return null;
  }
}

function milliseconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
