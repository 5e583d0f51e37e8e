/**
 * Monitoring: per-agent baselines and alert rules over the audit log (alerts are `alert-raised`
 * entries, webhook deliveries and, where a rule says so, a quarantine), and Prometheus metrics.
 */
export { Monitor } from './monitor.js';
export type { MonitorAuditLog, MonitorLogger, MonitorOptions, RebuildSummary } from './monitor.js';
export { MAX_AGENT_LABELS, METRIC_NAMES, WardenMetrics } from './metrics.js';
export { RULE_IDS } from './rules.js';
export type { RuleId, RuleKey } from './rules.js';
export { MONITORED_TYPES, toMonitorEvent } from './events.js';
export type { IntentDecision, MonitorEvent } from './events.js';
