/**
 * The monitor: reads every tool-call entry this instance records in the audit log, keeps per-agent
 * baselines (rebuilt from the audit log at start, so a restart forgets nothing the log still holds),
 * runs the alert rules, and raises each alert once per cooldown as an `alert-raised` audit entry and
 * a webhook delivery; a rule set to quarantine suspends the agent (actor `monitor:<rule>`) on every
 * finding while it is active (cooldowns and dedup apply to the alert only), which takes effect on the
 * agent's next call. It never blocks or fails a call: it works after the entries
 * are recorded, and its own failures are logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AlertNotice } from '../approvals/index.js';
import type { AuditEvent } from '../audit/index.js';
import type { ResolvedConfig } from '../config/index.js';
import type { MonitoringConfig } from '../config/monitoring-schema.js';
import { WardenError, isoTime, toWardenError } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { AgentRecord, AuditEntryRecord, AuditQuery } from '../store/index.js';
import { AgentBaseline, hourInZone } from './baseline.js';
import type { BaselineSettings } from './baseline.js';
import { MONITORED_TYPES, toMonitorEvent } from './events.js';
import type { MonitorEvent } from './events.js';
import { WardenMetrics } from './metrics.js';
import { RULE_IDS, checkAfterCall, checkAfterResult, checkBeforeCall } from './rules.js';
import type { Finding, RuleKey } from './rules.js';

/** Refusals that say nothing about the agent's behaviour (it is already stopped). */
const IGNORED_REFUSALS = new Set(['WARDEN_AGENT_SUSPENDED', 'WARDEN_SHUTTING_DOWN']);
/** Entries read per query while rebuilding. */
const REBUILD_PAGE = 5000;
/** Live entries held while the baselines are rebuilt; beyond this they count in metrics only. */
const MAX_BUFFERED = 100_000;
/** Alerts waiting to be recorded; beyond this new ones are dropped (and logged), never a quarantine. */
const MAX_PENDING_ALERTS = 1000;
/** Suspension attempts when another change to the agent races the quarantine. */
const QUARANTINE_ATTEMPTS = 4;

export interface MonitorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the monitor needs of the audit log: the subscription, and recording alerts. */
export interface MonitorAuditLog {
  onRecorded(listener: (entry: AuditEntryRecord) => void): () => void;
  record(event: AuditEvent): Promise<AuditEntryRecord>;
}

export interface MonitorOptions {
  config: ResolvedConfig;
  audit: MonitorAuditLog;
  /** The audit store, read to rebuild baselines and to see alerts raised earlier or by other replicas. */
  auditStore: { query(query: AuditQuery): Promise<AuditEntryRecord[]>; head(): Promise<{ seq: number }> };
  agents: {
    get(name: string): Promise<AgentRecord>;
    suspend(name: string, options: { actor: string; reason: string }): Promise<AgentRecord>;
  };
  /** Where alerts are sent besides the audit log (WebhookNotifier). */
  notifier?: { notifyAlert(alert: AlertNotice): void };
  clock: Clock;
  logger?: MonitorLogger;
  /** Collect Node process metrics too (default: when `monitoring.metrics.enabled`). */
  processMetrics?: boolean;
}

/** What a rebuild read, for the start log line and tests. */
export interface RebuildSummary {
  entries: number;
  agents: number;
  /** True when more entries than `baseline.maxEntries` fell in the period (the newest were read). */
  truncated: boolean;
}

/**
 * Per-agent baselines, alert rules and Prometheus metrics, fed by the audit log.
 *
 * @example
 * const monitor = new Monitor({ config, audit, auditStore: store.audit, agents, notifier, clock });
 * await monitor.start(); // rebuilds the baselines, then watches live entries
 * const { body } = await monitor.metrics.scrape();
 * await monitor.close();
 */
export class Monitor {
  /** The Prometheus registry of this instance. */
  readonly metrics: WardenMetrics;
  readonly #settings: MonitoringConfig;
  readonly #audit: MonitorAuditLog;
  readonly #auditStore: MonitorOptions['auditStore'];
  readonly #agents: MonitorOptions['agents'];
  readonly #notifier: MonitorOptions['notifier'];
  readonly #clock: Clock;
  readonly #logger: MonitorLogger | undefined;
  readonly #declaredTools: ReadonlySet<string>;
  readonly #baselineSettings: BaselineSettings;
  readonly #timeZone: string;
  readonly #metricsToken: Buffer | null;
  readonly #baselines = new Map<string, AgentBaseline>();
  /** Rule key → time until which that alert stays quiet (set once the alert is recorded). */
  readonly #cooldowns = new Map<string, number>();
  /** Rule keys with an alert queued or being recorded. */
  readonly #alerting = new Set<string>();
  /** Rule keys with a quarantine queued or running. */
  readonly #quarantining = new Set<string>();
  #unsubscribe: (() => void) | null = null;
  /** Live entries waiting for the rebuild; null once the monitor is ready. */
  #buffer: MonitorEventAt[] | null = [];
  #rebuiltThrough = 0;
  #started: Promise<RebuildSummary> | null = null;
  #pending: Promise<void> = Promise.resolve();
  #pendingCount = 0;
  #closed = false;

  constructor(options: MonitorOptions) {
    this.#settings = options.config.monitoring;
    this.#audit = options.audit;
    this.#auditStore = options.auditStore;
    this.#agents = options.agents;
    this.#notifier = options.notifier;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#timeZone = this.#settings.timezone ?? options.config.policy.timezone;
    this.#baselineSettings = {
      windowMs: this.#settings.window * 1000,
      retentionMs: this.#settings.baseline.days * 86_400_000,
      hourOf: hourInZone(this.#timeZone),
    };
    const declared = new Set<string>();
    for (const [server, serverConfig] of Object.entries(options.config.servers)) {
      for (const tool of Object.keys(serverConfig.tools)) declared.add(`${server}__${tool}`);
    }
    this.#declaredTools = declared;
    const token = this.#settings.metrics.token;
    this.#metricsToken = token === undefined ? null : digest(token);
    this.metrics = new WardenMetrics({
      processMetrics: options.processMetrics ?? this.#settings.metrics.enabled,
    });
    // Subscribed at once, so nothing recorded between opening and start() is missed.
    if (this.#settings.enabled || this.#settings.metrics.enabled) {
      this.#unsubscribe = this.#audit.onRecorded((entry) => this.#onRecorded(entry));
    }
  }

  /** Whether GET /metrics is served (`monitoring.metrics.enabled`). */
  get metricsEnabled(): boolean {
    return this.#settings.metrics.enabled;
  }

  /**
   * Rebuilds the baselines from the audit log (the last `baseline.days`, at most
   * `baseline.maxEntries` entries, newest first), then applies the entries recorded meanwhile and
   * watches live ones. Idempotent. Rejects only when the store cannot be read.
   */
  start(): Promise<RebuildSummary> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<RebuildSummary> {
    if (!this.#settings.enabled) {
      this.#buffer = null;
      return { entries: 0, agents: 0, truncated: false };
    }
    const summary = await this.#rebuild();
    const buffered = this.#buffer ?? [];
    this.#buffer = null;
    for (const item of buffered) {
      if (item.seq > this.#rebuiltThrough) this.#apply(item.event, true);
    }
    this.#logger?.info(
      {
        entries: summary.entries,
        agents: summary.agents,
        truncated: summary.truncated,
        days: this.#settings.baseline.days,
      },
      'monitoring baselines rebuilt from the audit log',
    );
    return summary;
  }

  async #rebuild(): Promise<RebuildSummary> {
    const head = await this.#auditStore.head();
    this.#rebuiltThrough = head.seq;
    const since = isoTime({ now: () => this.#clock.now() - this.#settings.baseline.days * 86_400_000 });
    const max = this.#settings.baseline.maxEntries;
    const events: MonitorEvent[] = [];
    let before = head.seq;
    let read = 0;
    let truncated = false;
    while (before > 0) {
      const limit = Math.min(REBUILD_PAGE, max - read);
      if (limit <= 0) {
        truncated = true;
        break;
      }
      const page = await this.#auditStore.query({
        toSeq: before,
        sinceTime: since,
        types: [...MONITORED_TYPES],
        order: 'desc',
        limit,
      });
      read += page.length;
      for (const entry of page) {
        const event = toMonitorEvent(entry, this.#declaredTools);
        if (event !== null) events.push(event);
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < limit) break;
      before = last.seq - 1;
    }
    for (let index = events.length - 1; index >= 0; index -= 1) this.#apply(events[index]!, false);
    return { entries: read, agents: this.#baselines.size, truncated };
  }

  /** Resolves once every alert started so far is recorded (or failed and was logged). */
  async idle(): Promise<void> {
    while (this.#pendingCount > 0) await this.#pending;
  }

  /**
   * Stops watching and waits for alerts being recorded (call before the audit log closes).
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#pending;
  }

  /**
   * Checks a scrape of GET /metrics: with `monitoring.metrics.token` set, the request must carry
   * `Authorization: Bearer <token>`; without one, only direct loopback connections are answered. A
   * reverse proxy on the same host makes every request look like loopback, so without a token a
   * request that came through a proxy (it carries X-Forwarded-For, Forwarded or X-Real-IP, or
   * `server.trustProxy` is on) is refused.
   *
   * @throws WARDEN_TOKEN_MISSING (401) for a missing or wrong token; WARDEN_NOT_FOUND (404) for a
   *   non-loopback or proxied client when no token is configured.
   */
  checkScrape(
    authorization: string | undefined,
    remoteAddress: string | undefined,
    proxy: { forwarded: boolean; trustProxy: boolean } = { forwarded: false, trustProxy: false },
  ): void {
    if (this.#metricsToken !== null) {
      const match = /^Bearer\s+(\S{1,1024})\s*$/i.exec(authorization ?? '');
      if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), this.#metricsToken)) {
        throw new WardenError(
          'WARDEN_TOKEN_MISSING',
          'GET /metrics needs the header "Authorization: Bearer <token>" with the token set in monitoring.metrics.token; configure your scraper with it',
        );
      }
      return;
    }
    if (proxy.forwarded || proxy.trustProxy) {
      throw new WardenError(
        'WARDEN_NOT_FOUND',
        proxy.trustProxy
          ? 'GET /metrics without a token is not served when server.trustProxy is on (behind a proxy every client may look local); set monitoring.metrics.token and scrape with "Authorization: Bearer <token>"'
          : 'GET /metrics without a token is not served to requests that came through a proxy (X-Forwarded-For, Forwarded or X-Real-IP); set monitoring.metrics.token and scrape with "Authorization: Bearer <token>"',
      );
    }
    if (!isLoopback(remoteAddress)) {
      throw new WardenError(
        'WARDEN_NOT_FOUND',
        'GET /metrics is served only to loopback clients unless monitoring.metrics.token is set; set a token to scrape from elsewhere',
      );
    }
  }

  #onRecorded(entry: AuditEntryRecord): void {
    if (this.#closed) return;
    const event = toMonitorEvent(entry, this.#declaredTools);
    if (event === null) return;
    this.metrics.observe(event);
    if (!this.#settings.enabled) return;
    if (this.#buffer !== null) {
      if (this.#buffer.length < MAX_BUFFERED) this.#buffer.push({ seq: entry.seq, event });
      return;
    }
    this.#apply(event, true);
  }

  /** Adds an event to the agent's baseline; for live events, runs the rules first or after. */
  #apply(event: MonitorEvent, live: boolean): void {
    switch (event.kind) {
      case 'intent':
        // An approved call going ahead was counted when it was sent for approval.
        if (event.approved) return;
        this.#call(
          event.agent,
          event.tool,
          event.time,
          event.decision === 'denied' || event.decision === 'shadow_denied',
          live,
        );
        return;
      case 'refused':
        if (IGNORED_REFUSALS.has(event.code)) return;
        this.#call(event.agent, event.tool, event.time, true, live);
        return;
      case 'completed': {
        const baseline = this.#baselineOf(event.agent);
        baseline.noteBytes(event.time, event.resultBytes);
        if (live && event.resultBytes > 0) {
          this.#raise(checkAfterResult(event.agent, baseline, this.#settings, event.time), event.time);
        }
        return;
      }
      case 'failed':
      case 'model':
        // Model calls are counted in metrics; their baselines are left for the LLM proxy's own events.
        return;
    }
  }

  #call(agent: string, tool: string | null, time: number, denied: boolean, live: boolean): void {
    const baseline = this.#baselineOf(agent);
    const before = live ? checkBeforeCall(agent, tool, baseline, this.#settings, time, this.#timeZone) : [];
    baseline.noteCall(time, tool, denied);
    if (!live) return;
    this.#raise([...before, ...checkAfterCall(agent, baseline, this.#settings, time, denied)], time);
  }

  #baselineOf(agent: string): AgentBaseline {
    let baseline = this.#baselines.get(agent);
    if (baseline === undefined) {
      baseline = new AgentBaseline(this.#baselineSettings);
      this.#baselines.set(agent, baseline);
    }
    return baseline;
  }

  /**
   * Starts handling each finding; returns at once. An alert is raised once per cooldown (the cooldown
   * starts only once the alert is recorded, so a failed record is tried again on the next finding). A
   * quarantine is never skipped: not for a cooldown, not for an alert already raised (here or by
   * another replica), not when too many alerts wait; an agent resumed meanwhile is suspended again.
   */
  #raise(findings: Finding[], now: number): void {
    for (const finding of findings) {
      const rule = this.#settings.rules[finding.rule];
      const key = cooldownKey(finding);
      const until = this.#cooldowns.get(key);
      const alert = (until === undefined || until <= now) && !this.#alerting.has(key);
      const quarantine = rule.quarantine && !this.#quarantining.has(key);
      if (!alert && !quarantine) continue;
      if (!quarantine && this.#pendingCount >= MAX_PENDING_ALERTS) {
        this.#logger?.error(
          { rule: RULE_IDS[finding.rule], agent: finding.agent },
          'monitoring alert dropped: too many alerts are waiting to be recorded',
        );
        continue;
      }
      if (alert) this.#alerting.add(key);
      if (quarantine) this.#quarantining.add(key);
      this.#pendingCount += 1;
      this.#pending = this.#pending
        .then(() => this.#handle(finding, now, key, alert, quarantine))
        .catch((error: unknown) => {
          const wrapped = toWardenError(error);
          this.#logger?.error(
            { rule: RULE_IDS[finding.rule], agent: finding.agent, code: wrapped.code, err: wrapped.message },
            'could not raise a monitoring alert',
          );
        })
        .finally(() => {
          this.#pendingCount -= 1;
          if (alert) this.#alerting.delete(key);
          if (quarantine) this.#quarantining.delete(key);
        });
    }
  }

  /** Quarantines (when asked), then records the alert unless it is in its cooldown or already raised. */
  async #handle(
    finding: Finding,
    now: number,
    key: string,
    alert: boolean,
    quarantine: boolean,
  ): Promise<void> {
    const ruleId = RULE_IDS[finding.rule];
    const rule = this.#settings.rules[finding.rule];
    const outcome = quarantine ? await this.#quarantine(finding) : null;
    if (!alert) return;
    const until = this.#cooldowns.get(key);
    if (until !== undefined && until > now) return;
    if (await this.#raisedRecently(finding, now - rule.cooldown * 1000)) {
      this.#startCooldown(key, now, rule.cooldown);
      return;
    }
    const quarantined = outcome?.kind === 'suspended';
    const note =
      outcome?.kind === 'already'
        ? ' The agent was already suspended.'
        : outcome?.kind === 'failed'
          ? ` Quarantine failed (${outcome.code}).`
          : '';
    const message = `${finding.message}.${quarantined ? ' The agent was quarantined (suspended); resume it with `warden agents resume` once investigated.' : note}`;
    const entry = await this.#audit.record({
      type: 'alert-raised',
      actor: `monitor:${ruleId}`,
      subject: `agent:${finding.agent}`,
      detail: {
        rule: ruleId,
        severity: rule.severity,
        message,
        value: finding.value,
        baseline: finding.baseline,
        quarantined,
        ...(finding.tool === null ? {} : { tool: finding.tool }),
      },
    });
    this.#startCooldown(key, now, rule.cooldown);
    this.metrics.alert(finding.agent, ruleId, rule.severity, quarantined);
    this.#logger?.warn(
      { rule: ruleId, agent: finding.agent, severity: rule.severity, quarantined, seq: entry.seq },
      'monitoring alert raised',
    );
    this.#notifier?.notifyAlert({
      agent: finding.agent,
      rule: ruleId,
      severity: rule.severity,
      message,
      value: finding.value,
      baseline: finding.baseline,
      quarantined,
      seq: entry.seq,
      time: entry.time,
    });
  }

  /**
   * Suspends the agent when it is active (actor `monitor:<rule>`), trying again when another change
   * to the agent raced it. Never throws: a failure is logged and returned.
   */
  async #quarantine(finding: Finding): Promise<QuarantineOutcome> {
    const ruleId = RULE_IDS[finding.rule];
    for (let attempt = 1; ; attempt += 1) {
      try {
        const agent = await this.#agents.get(finding.agent);
        if (agent.status !== 'active') return { kind: 'already' };
        await this.#agents.suspend(finding.agent, {
          actor: `monitor:${ruleId}`,
          reason: `quarantined by the monitoring rule ${ruleId}: ${finding.message}`.slice(0, 1000),
        });
        this.#logger?.warn({ rule: ruleId, agent: finding.agent }, 'monitoring rule quarantined an agent');
        return { kind: 'suspended' };
      } catch (error) {
        const wrapped = toWardenError(error);
        if (wrapped.code === 'WARDEN_STORE_CONFLICT' && attempt < QUARANTINE_ATTEMPTS) continue;
        this.#logger?.error(
          { rule: ruleId, agent: finding.agent, code: wrapped.code, err: wrapped.message, attempts: attempt },
          'a monitoring rule could not quarantine an agent',
        );
        return { kind: 'failed', code: wrapped.code };
      }
    }
  }

  #startCooldown(key: string, now: number, cooldownSeconds: number): void {
    this.#cooldowns.set(key, now + cooldownSeconds * 1000);
    if (this.#cooldowns.size > 10_000) this.#forgetExpiredCooldowns(now);
  }

  /** Whether the same alert is in the audit log since `since` (from before a restart, or another replica). */
  async #raisedRecently(finding: Finding, since: number): Promise<boolean> {
    const recent = await this.#auditStore.query({
      types: ['alert-raised'],
      subject: `agent:${finding.agent}`,
      sinceTime: isoTime({ now: () => since }),
      order: 'desc',
      limit: 200,
    });
    const ruleId = RULE_IDS[finding.rule];
    return recent.some(
      (entry) =>
        entry.detail.rule === ruleId && (finding.tool === null || entry.detail.tool === finding.tool),
    );
  }

  #forgetExpiredCooldowns(now: number): void {
    for (const [key, until] of this.#cooldowns) if (until <= now) this.#cooldowns.delete(key);
  }
}

type QuarantineOutcome = { kind: 'suspended' } | { kind: 'already' } | { kind: 'failed'; code: string };

interface MonitorEventAt {
  seq: number;
  event: MonitorEvent;
}

function cooldownKey(finding: { rule: RuleKey; agent: string; tool: string | null }): string {
  return `${finding.agent}\u0000${finding.rule}\u0000${finding.tool ?? ''}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}
