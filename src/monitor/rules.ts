/**
 * The alert rules, as pure checks of one event against an agent's baseline. Statistical rules stay
 * silent until the baseline is warm (enough days and active windows of history), so a new agent or a
 * fresh install does not alert on its first hour of traffic.
 */
import type { MonitoringConfig } from '../config/monitoring-schema.js';
import type { AgentBaseline } from './baseline.js';

/** Rule ids as alerts, metrics and quarantine actors (`monitor:<rule>`) name them. */
export const RULE_IDS = {
  rateSpike: 'rate-spike',
  newTool: 'new-tool',
  volumeSpike: 'volume-spike',
  denialBurst: 'denial-burst',
  offHours: 'off-hours',
} as const;

export type RuleKey = keyof typeof RULE_IDS;
export type RuleId = (typeof RULE_IDS)[RuleKey];

/** A rule that fired, before cooldown and quarantine. */
export interface Finding {
  rule: RuleKey;
  agent: string;
  /** The tool, for rules about one tool (new-tool). */
  tool: string | null;
  message: string;
  value: number;
  baseline: number | null;
}

type Rules = MonitoringConfig['rules'];

/** Whether statistical rules may use this baseline at `now`. */
export function isWarm(baseline: AgentBaseline, config: MonitoringConfig, now: number): boolean {
  return (
    baseline.historyDays(now) >= config.baseline.minDays &&
    baseline.calls.stats(now).windows >= config.baseline.minWindows
  );
}

/** Checks made before the call is added to the baseline: is the tool new, is the hour unusual. */
export function checkBeforeCall(
  agent: string,
  tool: string | null,
  baseline: AgentBaseline,
  config: MonitoringConfig,
  now: number,
  timeZone: string,
): Finding[] {
  const rules: Rules = config.rules;
  const findings: Finding[] = [];
  if (
    rules.newTool.enabled &&
    tool !== null &&
    !baseline.hasUsed(tool, now) &&
    baseline.historyDays(now) >= config.baseline.minDays &&
    baseline.calls.total(now) >= rules.newTool.minCalls
  ) {
    findings.push({
      rule: 'newTool',
      agent,
      tool,
      message: `agent "${agent}" called ${tool} for the first time in its ${config.baseline.days}-day history`,
      value: 1,
      baseline: 0,
    });
  }
  if (rules.offHours.enabled && baseline.historyDays(now) >= rules.offHours.minDays) {
    const { share, total, hour } = baseline.hours.share(now);
    if (total >= rules.offHours.minCalls && share < rules.offHours.maxShare) {
      findings.push({
        rule: 'offHours',
        agent,
        tool: null,
        message: `agent "${agent}" is active at ${String(hour).padStart(2, '0')}:00 (${timeZone}), an hour that held ${percent(share)} of its calls in the last ${config.baseline.days} days`,
        value: hour,
        baseline: round(share),
      });
    }
  }
  return findings;
}

/** Checks made after a call was added: the rate in the window, and denials in the window. */
export function checkAfterCall(
  agent: string,
  baseline: AgentBaseline,
  config: MonitoringConfig,
  now: number,
  denied: boolean,
): Finding[] {
  const rules: Rules = config.rules;
  const findings: Finding[] = [];
  const windowText = describeWindow(config.window);
  const calls = baseline.calls.sliding(now);
  if (rules.rateSpike.enabled && calls >= rules.rateSpike.minCalls && isWarm(baseline, config, now)) {
    const stats = baseline.calls.stats(now);
    // A Poisson floor on the deviation: perfectly regular traffic must not make every extra call a spike.
    const deviation = Math.max(stats.stddev, Math.sqrt(stats.mean), 1);
    const z = (calls - stats.mean) / deviation;
    if (z >= rules.rateSpike.zScore) {
      findings.push({
        rule: 'rateSpike',
        agent,
        tool: null,
        message: `agent "${agent}" made ${calls} calls in ${windowText}; its usual active ${windowText} holds ${stats.mean.toFixed(1)} (z-score ${z.toFixed(1)}, threshold ${rules.rateSpike.zScore})`,
        value: calls,
        baseline: round(stats.mean),
      });
    }
  }
  if (rules.denialBurst.enabled && denied) {
    const denials = baseline.denials.sliding(now);
    const ratio = calls === 0 ? 0 : denials / calls;
    if (denials >= rules.denialBurst.minDenials && ratio >= rules.denialBurst.ratio) {
      const total = baseline.calls.closedTotal(now);
      const usual = total === 0 ? null : round(baseline.denials.closedTotal(now) / total);
      findings.push({
        rule: 'denialBurst',
        agent,
        tool: null,
        message: `agent "${agent}" had ${denials} of ${calls} calls denied or refused in ${windowText} (${percent(ratio)}; its usual share is ${usual === null ? 'unknown' : percent(usual)})`,
        value: denials,
        baseline: usual,
      });
    }
  }
  return findings;
}

/** Checks made after a result was read: bytes read in the window. */
export function checkAfterResult(
  agent: string,
  baseline: AgentBaseline,
  config: MonitoringConfig,
  now: number,
): Finding[] {
  const rule = config.rules.volumeSpike;
  if (!rule.enabled) return [];
  const bytes = baseline.bytes.sliding(now);
  if (bytes < rule.minBytes || !isWarm(baseline, config, now)) return [];
  const stats = baseline.bytes.stats(now);
  if (stats.windows < config.baseline.minWindows || bytes < rule.factor * stats.mean) return [];
  const windowText = describeWindow(config.window);
  return [
    {
      rule: 'volumeSpike',
      agent,
      tool: null,
      message: `agent "${agent}" read ${bytes} bytes of tool results in ${windowText}; its usual active ${windowText} reads ${Math.round(stats.mean)} (alert at ${rule.factor}×)`,
      value: bytes,
      baseline: Math.round(stats.mean),
    },
  ];
}

function describeWindow(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)}%`;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
