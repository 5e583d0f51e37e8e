/**
 * Outgoing webhooks for approval events and monitoring alerts: signed JSON (HMAC-SHA256 over timestamp
 * and body, so a receiver can refuse forged or replayed requests) or Slack messages. Deliveries run in the
 * background and never hold up a decision; each final outcome is recorded in the audit log, without
 * the secret, the URL or the call's raw arguments.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditRecorder } from '../audit/index.js';
import type { WardenConfig } from '../config/index.js';
import { isoTime, newId, systemClock } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type { ApprovalRecord } from '../store/index.js';
import type { ApprovalNotice, ApprovalNotifier } from './types.js';

/** One configured webhook (`notifications.webhooks[]`), secret resolved. */
export type WebhookConfig = WardenConfig['notifications']['webhooks'][number];

/** Header names of a `json` delivery. */
export const WEBHOOK_HEADERS = {
  event: 'x-warden-event',
  delivery: 'x-warden-delivery',
  timestamp: 'x-warden-timestamp',
  signature: 'x-warden-signature',
} as const;

/** Waits between attempts: three attempts in all. */
const DEFAULT_RETRY_DELAYS_MS = [500, 2000];
/** Deliveries running at once; notices beyond this are dropped (and recorded as failed). */
const MAX_IN_FLIGHT = 1000;

export interface WebhookNotifierOptions {
  webhooks: readonly WebhookConfig[];
  audit: AuditRecorder;
  /** Warden's public URL: the links in messages point at `<publicUrl>/admin/approvals/<id>`. */
  publicUrl: string;
  clock?: Clock;
  logger?: { warn(fields: object, message: string): void; error(fields: object, message: string): void };
  /** Waits before the 2nd and 3rd attempt (default 0.5 s and 2 s); tests shorten them. */
  retryDelaysMs?: readonly number[];
  /** The fetch to use (default: global fetch). */
  fetch?: typeof fetch;
}

/** A monitoring alert for the webhooks that list `alert-raised` in their events. */
export interface AlertNotice {
  agent: string;
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  value: number;
  baseline: number | null;
  quarantined: boolean;
  /** Seq of the `alert-raised` audit entry. */
  seq: number;
  /** When it was raised (ISO time). */
  time: string;
}

/** Outcome of one delivery, as recorded in the audit log (`approval-notified`, `alert-notified`). */
interface DeliveryOutcome {
  status: 'delivered' | 'failed';
  attempts: number;
  httpStatus?: number;
}

/**
 * Sends approval notices to the configured webhooks.
 *
 * @example
 * const notifier = new WebhookNotifier({ webhooks: config.notifications.webhooks, audit, publicUrl });
 * notifier.notify({ event: 'approval-requested', approval, actor: 'agent:support-bot' });
 * await notifier.flush(); // at shutdown
 */
export class WebhookNotifier implements ApprovalNotifier {
  readonly #webhooks: readonly WebhookConfig[];
  readonly #audit: AuditRecorder;
  readonly #publicUrl: string;
  readonly #clock: Clock;
  readonly #logger: WebhookNotifierOptions['logger'];
  readonly #retryDelaysMs: readonly number[];
  readonly #fetch: typeof fetch;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: WebhookNotifierOptions) {
    this.#webhooks = options.webhooks;
    this.#audit = options.audit;
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Starts a delivery to every webhook subscribed to the notice's event; returns at once. */
  notify(notice: ApprovalNotice): void {
    this.#send(
      notice.event,
      { approval: notice.approval.id },
      (webhook, deliveryId) =>
        webhook.format === 'slack'
          ? slackMessage(notice, this.#approvalLink(notice.approval.id))
          : this.#jsonEvent(deliveryId, notice),
      (webhook, outcome) => this.#record(webhook, notice, outcome),
    );
  }

  /**
   * Starts a delivery of a monitoring alert to every webhook that lists `alert-raised`; returns at
   * once. Each final outcome is recorded as `alert-notified`.
   */
  notifyAlert(alert: AlertNotice): void {
    this.#send(
      'alert-raised',
      { agent: alert.agent, rule: alert.rule },
      (webhook, deliveryId) =>
        webhook.format === 'slack'
          ? slackAlert(alert, this.#agentLink(alert.agent))
          : {
              id: deliveryId,
              event: 'alert-raised',
              time: isoTime(this.#clock),
              alert: { ...alert },
              links: { agent: this.#agentLink(alert.agent) },
            },
      (webhook, outcome) => this.#recordAlert(webhook, alert, outcome),
    );
  }

  #send(
    event: WebhookConfig['events'][number],
    about: Record<string, string>,
    body: (webhook: WebhookConfig, deliveryId: string) => JsonObject,
    record: (webhook: WebhookConfig, outcome: DeliveryOutcome) => Promise<void>,
  ): void {
    for (const webhook of this.#webhooks) {
      if (!webhook.events.includes(event)) continue;
      let delivery: Promise<void>;
      if (this.#inFlight.size >= MAX_IN_FLIGHT) {
        this.#logger?.warn(
          { webhook: webhook.name, event, ...about },
          `webhook delivery dropped: ${MAX_IN_FLIGHT} deliveries are already in flight`,
        );
        delivery = record(webhook, { status: 'failed', attempts: 0 });
      } else {
        delivery = this.#deliver(webhook, event, body, record);
      }
      const tracked = delivery.catch((error: unknown) => {
        this.#logger?.error({ webhook: webhook.name, err: describeError(error) }, 'webhook delivery failed');
      });
      this.#inFlight.add(tracked);
      void tracked.finally(() => this.#inFlight.delete(tracked));
    }
  }

  /** Resolves once every delivery started so far (retries included) has finished and been recorded. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight]);
    }
  }

  async #deliver(
    webhook: WebhookConfig,
    event: string,
    makeBody: (webhook: WebhookConfig, deliveryId: string) => JsonObject,
    record: (webhook: WebhookConfig, outcome: DeliveryOutcome) => Promise<void>,
  ): Promise<void> {
    const deliveryId = newId('whd');
    const body = JSON.stringify(makeBody(webhook, deliveryId));
    let attempts = 0;
    let httpStatus: number | undefined;
    for (;;) {
      attempts += 1;
      const attempt = await this.#attempt(webhook, event, deliveryId, body);
      httpStatus = attempt.httpStatus;
      if (attempt.kind === 'delivered') {
        await record(webhook, { status: 'delivered', attempts, httpStatus });
        return;
      }
      const delay = this.#retryDelaysMs[attempts - 1];
      if (attempt.kind === 'final' || delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    this.#logger?.warn(
      { webhook: webhook.name, target: origin(webhook.url), event, attempts, httpStatus },
      'webhook delivery failed',
    );
    await record(webhook, {
      status: 'failed',
      attempts,
      ...(httpStatus === undefined ? {} : { httpStatus }),
    });
  }

  async #attempt(
    webhook: WebhookConfig,
    event: string,
    deliveryId: string,
    body: string,
  ): Promise<{ kind: 'delivered' | 'retry' | 'final'; httpStatus?: number }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (webhook.format === 'json') {
      const timestamp = String(Math.floor(this.#clock.now() / 1000));
      headers[WEBHOOK_HEADERS.event] = event;
      headers[WEBHOOK_HEADERS.delivery] = deliveryId;
      headers[WEBHOOK_HEADERS.timestamp] = timestamp;
      if (webhook.secret !== undefined) {
        headers[WEBHOOK_HEADERS.signature] = signWebhook(webhook.secret, timestamp, body);
      }
    }
    const target = splitCredentials(webhook.url);
    if (target.authorization !== undefined) headers.authorization = target.authorization;
    let response: Response;
    try {
      response = await this.#fetch(target.url, {
        method: 'POST',
        headers,
        body,
        // A redirect is the receiver's misconfiguration; following it could send the event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(webhook.timeout * 1000),
      });
    } catch (error) {
      this.#logger?.warn(
        { webhook: webhook.name, target: origin(webhook.url), err: describeError(error) },
        'webhook attempt failed',
      );
      return { kind: 'retry' };
    }
    // The body is not needed; cancelling it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    const httpStatus = response.status;
    if (httpStatus >= 200 && httpStatus < 300) return { kind: 'delivered', httpStatus };
    if (httpStatus === 429 || httpStatus >= 500) return { kind: 'retry', httpStatus };
    return { kind: 'final', httpStatus };
  }

  async #record(webhook: WebhookConfig, notice: ApprovalNotice, outcome: DeliveryOutcome): Promise<void> {
    try {
      await this.#audit.record({
        type: 'approval-notified',
        actor: 'system',
        subject: `approval:${notice.approval.id}`,
        detail: {
          webhook: webhook.name,
          event: notice.event,
          status: outcome.status,
          attempts: outcome.attempts,
          ...(outcome.httpStatus === undefined ? {} : { httpStatus: outcome.httpStatus }),
        },
      });
    } catch (error) {
      this.#logger?.error(
        {
          webhook: webhook.name,
          event: notice.event,
          approval: notice.approval.id,
          err: describeError(error),
        },
        'could not record a webhook delivery in the audit log',
      );
    }
  }

  async #recordAlert(webhook: WebhookConfig, alert: AlertNotice, outcome: DeliveryOutcome): Promise<void> {
    try {
      await this.#audit.record({
        type: 'alert-notified',
        actor: 'system',
        subject: `agent:${alert.agent}`,
        detail: {
          webhook: webhook.name,
          rule: alert.rule,
          alertSeq: alert.seq,
          status: outcome.status,
          attempts: outcome.attempts,
          ...(outcome.httpStatus === undefined ? {} : { httpStatus: outcome.httpStatus }),
        },
      });
    } catch (error) {
      this.#logger?.error(
        { webhook: webhook.name, rule: alert.rule, agent: alert.agent, err: describeError(error) },
        'could not record a webhook delivery in the audit log',
      );
    }
  }

  #agentLink(name: string): string {
    return `${this.#publicUrl}/admin/agents/${encodeURIComponent(name)}`;
  }

  #approvalLink(id: string): string {
    return `${this.#publicUrl}/admin/approvals/${encodeURIComponent(id)}`;
  }

  #jsonEvent(deliveryId: string, notice: ApprovalNotice): JsonObject {
    return {
      id: deliveryId,
      event: notice.event,
      time: isoTime(this.#clock),
      approval: approvalSummary(notice.approval),
      actor: notice.actor,
      ...(notice.reason === undefined ? {} : { reason: notice.reason }),
      links: { approval: this.#approvalLink(notice.approval.id) },
    };
  }
}

/**
 * The `x-warden-signature` value: `sha256=` and the hex HMAC-SHA256, keyed with the webhook secret,
 * of `<timestamp>.<body>`.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyWebhookSignatureOptions {
  /** How far the timestamp may be from `now`, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch (default: the current time). */
  now?: number;
}

/**
 * For receivers: true when `signatureHeader` is a valid `x-warden-signature` of `body` sent at
 * `timestamp` (the `x-warden-timestamp` header) under `secret`, and the timestamp is within the
 * tolerance. Verify the raw body bytes as received, before parsing them.
 *
 * @example
 * const ok = verifyWebhookSignature(secret, headers['x-warden-timestamp'], rawBody, headers['x-warden-signature']);
 * if (!ok) return reply.code(401).send();
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signatureHeader: string | undefined,
  options: VerifyWebhookSignatureOptions = {},
): boolean {
  if (timestamp === undefined || signatureHeader === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return false;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signatureHeader.trim());
  if (match?.[1] === undefined) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice('sha256='.length), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

/** What a webhook says about a request: no raw or redacted arguments, no emails. */
function approvalSummary(approval: ApprovalRecord): JsonObject {
  return {
    id: approval.id,
    agent: approval.agentName,
    tool: approval.tool,
    risk: approval.risk,
    reason: approval.reason,
    status: approval.status,
    required: approval.required,
    approvals: approval.votes.filter((vote) => vote.decision === 'approve').length,
    expiresAt: approval.expiresAt,
    votes: approval.votes.map((vote) => ({
      by: vote.by,
      decision: vote.decision,
      reason: vote.reason,
      at: vote.at,
    })),
  };
}

const EVENT_TITLES: Record<ApprovalNotice['event'], string> = {
  'approval-requested': 'Approval requested',
  'approval-approved': 'Approved',
  'approval-denied': 'Denied',
  'approval-expired': 'Expired',
  'approval-escalated': 'Escalated',
  'approval-executed': 'Executed',
};

/** A Slack incoming-webhook message: a one-line `text` (notifications) and blocks (the message). */
function slackMessage(notice: ApprovalNotice, link: string): JsonObject {
  const { approval } = notice;
  const title = EVENT_TITLES[notice.event];
  const text = slackEscape(
    `${title}: ${approval.agentName} → ${approval.tool} (${approval.risk}), ${approval.status}`,
  );
  const fields = [
    `*Agent*\n${slackEscape(approval.agentName)}`,
    `*Tool*\n${slackEscape(approval.tool)} (${slackEscape(approval.risk)})`,
    `*Status*\n${slackEscape(approval.status)}`,
    `*By*\n${slackEscape(notice.actor)}`,
  ];
  const lines = [`*${title}*: ${slackEscape(clip(approval.reason, 1000))}`];
  if (notice.reason !== undefined) lines.push(`> ${slackEscape(clip(notice.reason, 1000))}`);
  lines.push(`<${link}|Open ${slackEscape(approval.id)}>`);
  return {
    text: clip(text, 300),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'section', fields: fields.map((field) => ({ type: 'mrkdwn', text: clip(field, 1900) })) },
    ],
  };
}

/** A Slack message for a monitoring alert. */
function slackAlert(alert: AlertNotice, link: string): JsonObject {
  const title = `Warden alert (${alert.severity}): ${alert.rule} for ${alert.agent}`;
  const lines = [
    `*${slackEscape(title)}*`,
    slackEscape(clip(alert.message, 1000)),
    ...(alert.quarantined ? ['The agent was quarantined (suspended).'] : []),
    `<${link}|Open ${slackEscape(alert.agent)}>`,
  ];
  return {
    text: clip(slackEscape(title), 300),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  };
}

/** Slack's three control characters; other text is shown as written. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `https://host:port` of a webhook URL: never its path or query, which may carry a token. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[invalid url]';
  }
}

/**
 * fetch refuses URLs with `user:password@`; such credentials are sent as HTTP Basic instead, and the
 * URL without them.
 */
function splitCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (parsed.username === '' && parsed.password === '') return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.toString(),
    authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
  };
}

/** An error's name and code only: messages of network errors can repeat the URL. */
function describeError(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, code } : { name: error.name };
}
