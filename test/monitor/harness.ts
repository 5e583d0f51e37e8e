/**
 * A monitor over a real SQLite audit log with a frozen clock, real agents, and helpers that write
 * tool-call entries as the pipeline does, so tests can lay down weeks of history in a second and
 * then play a pattern against the live monitor.
 */
import { dirname } from 'node:path';
import type { TestContext } from 'node:test';
import type { AlertNotice } from '../../src/approvals/index.js';
import type { AuditLog } from '../../src/audit/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ResolvedConfig } from '../../src/config/index.js';
import type { ManualClock } from '../../src/core/index.js';
import { AgentService } from '../../src/identity/index.js';
import { Monitor } from '../../src/monitor/index.js';
import type { AuditEntryRecord, Store } from '../../src/store/index.js';
import { makeLog } from '../audit/helpers.js';
import { openStore } from '../../src/store/index.js';
import { writeConfig } from '../config/temp-config.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Midnight UTC on a Monday; history starts here. */
export const START = Date.parse('2026-02-02T00:00:00.000Z');

/** warden.yaml for the monitor tests; `monitoring` is YAML indented by two under `monitoring:`. */
export function monitorConfigYaml(monitoring = '', extra = ''): string {
  return `version: 1
store:
  sqlite: { path: warden.db, synchronous: normal }
policy:
  timezone: UTC
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: internal
  other-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: internal
servers:
  crm:
    transport: stdio
    command: node
    tools:
      read_customer: { risk: read }
      search_customers: { risk: read }
      export_customers: { risk: read }
monitoring:
  enabled: true
${monitoring}
${extra}`;
}

export interface MonitorHarness {
  store: Store;
  log: AuditLog;
  clock: ManualClock;
  config: ResolvedConfig;
  agents: AgentService;
  notices: AlertNotice[];
  /** A monitor over the log (a new one each call, as after a restart); closed when the test ends. */
  openMonitor(): Monitor;
  /** Records a call as the pipeline does at the clock's time. */
  call(
    agent: string,
    tool: string,
    options?: { type?: string; bytes?: number; code?: string },
  ): Promise<void>;
  /**
   * Normal traffic: every day from `fromDay` (days after START) for `days` days, 09:00–17:00 UTC, `perWindow`
   * calls every 5 minutes alternating two tools, each reading `bytes` bytes.
   */
  normalTraffic(options: {
    fromDay: number;
    days: number;
    perWindow?: number;
    bytes?: number;
  }): Promise<void>;
  alerts(): Promise<AuditEntryRecord[]>;
}

export async function openMonitorHarness(
  t: TestContext,
  options: { monitoring?: string; extra?: string } = {},
): Promise<MonitorHarness> {
  const path = await writeConfig(t, monitorConfigYaml(options.monitoring, options.extra));
  const { config } = await loadConfig({ path, env: { WEBHOOK_SECRET: 'webhook-secret-for-tests-0123' } });
  const store = await openStore(config.store, { baseDir: dirname(path) });
  const { log, clock } = makeLog(store.audit);
  clock.set(START);
  const agents = new AgentService({
    store: store.agents,
    audit: log,
    clock,
    dataClasses: config.dataClasses.map((dataClass) => dataClass.name),
    roles: Object.keys(config.roles),
  });
  await agents.syncFromConfig(config.agents, 'test');
  const notices: AlertNotice[] = [];
  const monitors: Monitor[] = [];
  t.after(async () => {
    for (const monitor of monitors) await monitor.close();
    await log.close();
    await store.close();
  });

  /** Records a call at the clock's time: its intent and, when allowed, its outcome. */
  const call: MonitorHarness['call'] = async (agent, tool, callOptions = {}) => {
    await Promise.all(calls(agent, tool, callOptions));
  };
  const calls = (
    agent: string,
    tool: string,
    callOptions: { type?: string; bytes?: number; code?: string },
  ): Promise<unknown>[] => {
    const type = callOptions.type ?? 'tool-call-allowed';
    const base = { actor: `agent:${agent}`, session: 'session-1', subject: `tool:${tool}` };
    if (type === 'tool-call-refused') {
      const code = callOptions.code ?? 'WARDEN_POLICY_DENIED';
      return [
        log.record({ ...base, type, detail: { requestId: 'r', stage: 'authorize', code, message: 'no' } }),
      ];
    }
    const intent = log.record({
      ...base,
      type,
      decision: type === 'tool-call-allowed' ? 'allow' : 'deny',
      detail: { arguments: { id: 'c1' }, requestId: 'r', clientIp: '127.0.0.1' },
    });
    if (type !== 'tool-call-allowed') return [intent];
    // Queued right after the intent, so it follows it in the chain (same batch, same time).
    const outcome = log.record({
      ...base,
      type: 'tool-call-completed',
      detail: { requestId: 'r', durationMs: 12.5, resultBytes: callOptions.bytes ?? 1000, isError: false },
    });
    return [intent, outcome];
  };

  return {
    store,
    log,
    clock,
    config,
    agents,
    notices,
    openMonitor() {
      const monitor = new Monitor({
        config,
        audit: log,
        auditStore: store.audit,
        agents,
        clock,
        notifier: { notifyAlert: (notice) => notices.push(notice) },
        processMetrics: false,
      });
      monitors.push(monitor);
      return monitor;
    },
    call,
    async normalTraffic({ fromDay, days, perWindow = 3, bytes = 2000 }) {
      const tools = ['crm__read_customer', 'crm__search_customers'];
      for (let day = fromDay; day < fromDay + days; day += 1) {
        for (let minute = 9 * 60; minute < 17 * 60; minute += 5) {
          // One batch (one transaction, one time) per window keeps ten days of history fast.
          clock.set(START + day * DAY + minute * MINUTE + 30_000);
          const window: Promise<unknown>[] = [];
          for (let index = 0; index < perWindow; index += 1) {
            window.push(...calls('support-bot', tools[index % 2]!, { bytes }));
          }
          await Promise.all(window);
        }
      }
    },
    alerts: () => store.audit.query({ types: ['alert-raised'] }),
  };
}
