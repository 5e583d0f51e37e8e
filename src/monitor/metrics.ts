/**
 * Prometheus metrics of one Warden instance, in a registry of its own (never prom-client's global
 * one, so two instances in a process do not mix). Labels are bounded: agents are authenticated
 * identities (at most MAX_AGENT_LABELS distinct, then `_other`), tools are the ones the config
 * declares (anything else is `_unknown`), rules and decisions are fixed sets.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MonitorEvent } from './events.js';

/** Distinct agent label values kept; agents beyond these are counted as `_other`. */
export const MAX_AGENT_LABELS = 1000;

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Metric names, for docs and tests. */
export const METRIC_NAMES = {
  toolCalls: 'warden_tool_calls_total',
  toolCallOutcomes: 'warden_tool_call_outcomes_total',
  toolCallDuration: 'warden_tool_call_duration_seconds',
  toolResultBytes: 'warden_tool_result_bytes_total',
  modelCalls: 'warden_model_calls_total',
  modelCallDuration: 'warden_model_call_duration_seconds',
  alerts: 'warden_alerts_total',
  quarantines: 'warden_quarantines_total',
} as const;

/**
 * The counters and histograms the monitor feeds from audit entries.
 *
 * @example
 * const metrics = new WardenMetrics({ processMetrics: true });
 * metrics.observe(event);
 * const text = await metrics.registry.metrics();
 */
export class WardenMetrics {
  readonly registry = new Registry();
  readonly #toolCalls: Counter<'agent' | 'tool' | 'decision'>;
  readonly #outcomes: Counter<'agent' | 'tool' | 'outcome'>;
  readonly #duration: Histogram<'agent' | 'tool'>;
  readonly #bytes: Counter<'agent' | 'tool'>;
  readonly #modelCalls: Counter<'agent' | 'outcome'>;
  readonly #modelDuration: Histogram<'agent'>;
  readonly #alerts: Counter<'agent' | 'rule' | 'severity'>;
  readonly #quarantines: Counter<'agent' | 'rule'>;
  readonly #agents = new Set<string>();

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#toolCalls = new Counter({
      name: METRIC_NAMES.toolCalls,
      help: 'Tool calls by agent, tool and decision (allowed, denied, approval_required, shadow_denied, refused).',
      labelNames: ['agent', 'tool', 'decision'],
      registers,
    });
    this.#outcomes = new Counter({
      name: METRIC_NAMES.toolCallOutcomes,
      help: 'Executed tool calls by outcome (completed, tool_error: the tool answered isError, failed: no result).',
      labelNames: ['agent', 'tool', 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: METRIC_NAMES.toolCallDuration,
      help: 'Time from forwarding a tool call upstream to its inspected result, in seconds.',
      labelNames: ['agent', 'tool'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#bytes = new Counter({
      name: METRIC_NAMES.toolResultBytes,
      help: 'Bytes of tool results returned to agents.',
      labelNames: ['agent', 'tool'],
      registers,
    });
    this.#modelCalls = new Counter({
      name: METRIC_NAMES.modelCalls,
      help: 'Model calls through the LLM proxy by agent and outcome (the model-call-* audit event).',
      labelNames: ['agent', 'outcome'],
      registers,
    });
    this.#modelDuration = new Histogram({
      name: METRIC_NAMES.modelCallDuration,
      help: 'Duration of model calls through the LLM proxy, in seconds.',
      labelNames: ['agent'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#alerts = new Counter({
      name: METRIC_NAMES.alerts,
      help: 'Monitoring alerts raised by agent, rule and severity.',
      labelNames: ['agent', 'rule', 'severity'],
      registers,
    });
    this.#quarantines = new Counter({
      name: METRIC_NAMES.quarantines,
      help: 'Agents suspended by a monitoring rule.',
      labelNames: ['agent', 'rule'],
      registers,
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one monitoring event. */
  observe(event: MonitorEvent): void {
    const agent = this.#agentLabel(event.agent);
    switch (event.kind) {
      case 'intent':
        this.#toolCalls.inc({ agent, tool: toolLabel(event.tool), decision: event.decision });
        return;
      case 'refused':
        this.#toolCalls.inc({ agent, tool: toolLabel(event.tool), decision: 'refused' });
        return;
      case 'completed': {
        const tool = toolLabel(event.tool);
        this.#outcomes.inc({ agent, tool, outcome: event.isError ? 'tool_error' : 'completed' });
        if (event.durationMs !== null) this.#duration.observe({ agent, tool }, event.durationMs / 1000);
        if (event.resultBytes > 0) this.#bytes.inc({ agent, tool }, event.resultBytes);
        return;
      }
      case 'failed': {
        const tool = toolLabel(event.tool);
        this.#outcomes.inc({ agent, tool, outcome: 'failed' });
        if (event.durationMs !== null) this.#duration.observe({ agent, tool }, event.durationMs / 1000);
        return;
      }
      case 'model':
        this.#modelCalls.inc({ agent, outcome: event.outcome });
        if (event.durationMs !== null) this.#modelDuration.observe({ agent }, event.durationMs / 1000);
        return;
    }
  }

  /** Counts an alert (and the quarantine it caused). */
  alert(agent: string, rule: string, severity: string, quarantined: boolean): void {
    const label = this.#agentLabel(agent);
    this.#alerts.inc({ agent: label, rule, severity });
    if (quarantined) this.#quarantines.inc({ agent: label, rule });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #agentLabel(agent: string): string {
    if (this.#agents.has(agent)) return agent;
    if (this.#agents.size >= MAX_AGENT_LABELS) return '_other';
    this.#agents.add(agent);
    return agent;
  }
}

function toolLabel(tool: string | null): string {
  return tool ?? '_unknown';
}
