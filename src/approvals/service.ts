/**
 * Human-in-the-loop approvals: a call that policy holds for approval becomes a request that people
 * decide. Guarantees: every state change is in the audit log before it is stored; concurrent
 * deciders, sweepers and executors on any number of processes or replicas never lose a vote or run
 * an approved call twice (every update is a compare-and-set on the record's version); a request
 * never expires silently; the raw arguments are kept sealed and reach only the people allowed to
 * reveal them, never an audit entry, a view, a log line or an error.
 */
import { createHmac } from 'node:crypto';
import { canonicalJson, redactDetail } from '../audit/index.js';
import type { AuditRecorder } from '../audit/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { WardenError, isoTime, newId, toWardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { seal, unseal } from '../identity/index.js';
import type { KeyDerivation } from '../identity/index.js';
import type {
  ApprovalChanges,
  ApprovalQuery,
  ApprovalRecord,
  ApprovalStore,
  ApprovalVote,
} from '../store/index.js';
import type {
  ApprovalLookup,
  ApprovalNotice,
  ApprovalNotifier,
  ApprovalView,
  Decider,
  ExecutionClaim,
  NewApprovalRequest,
} from './types.js';

/** Where the service reports what it cannot throw to a caller (background sweeps, notifiers). */
export interface ApprovalLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ApprovalServiceOptions {
  /** `warden.store.approvals`. */
  store: ApprovalStore;
  audit: AuditRecorder;
  /** The master key: seals arguments and results, and gives the HMAC key of argument digests. */
  keys: KeyDerivation;
  /** `config.approvals` and `config.admins` are read. */
  config: ResolvedConfig;
  clock: Clock;
  /** Told about every change after it is stored (webhooks). */
  notifier?: ApprovalNotifier;
  logger?: ApprovalLogger;
  /**
   * Masks personal data in the arguments approvers see by default (content inspection's masks),
   * applied before `redactDetail`. Without it only secrets are masked (by key name, such as
   * `password` or `apiKey`, and by shape, such as tokens and private keys), so a card number under
   * an ordinary key would be shown: wire inspection in here.
   */
  maskArguments?: (args: JsonObject) => JsonObject;
}

/** How often a wait re-reads the store, for decisions made by another process or replica. */
const POLL_INTERVAL_MS = 500;
/** How often a wait calls `onTick`. */
const TICK_INTERVAL_MS = 1000;
const DEFAULT_SWEEP_INTERVAL_MS = 1000;
const MAX_REASON_LENGTH = 2000;
/**
 * The largest sealed value `unseal` accepts (1 MiB of envelope JSON). Arguments whose sealed form
 * is larger are refused (they could never be revealed); results that large are not kept.
 */
const MAX_SEALED_LENGTH = 1024 * 1024;
/**
 * Marks a sealed execution record of the current form `{ "warden/execution": 1, result, injection }`;
 * a record without it (kept before the injection flag was) is the bare result.
 */
const EXECUTION_RECORD_MARK = 'warden/execution';
/** A compare-and-set that keeps losing this often means something is wrong: give up loudly. */
const MAX_ATTEMPTS = 100;
const ID_PATTERN = /^apr_[0-9a-z]{1,64}$/;

/** What a state change produced: the record afterwards, and whether this caller made the change. */
interface Transition {
  record: ApprovalRecord;
  changed: boolean;
}

/**
 * The approver's view of a request: no sealed fields, the arguments as masked at request time, and
 * votes without the deciders' emails.
 */
export function approvalView(record: ApprovalRecord): ApprovalView {
  return {
    id: record.id,
    agent: record.agentName,
    agentOwner: record.agentOwner,
    tool: record.tool,
    risk: record.risk,
    arguments: record.argumentsRedacted,
    argumentsRevealed: false,
    policyIds: [...record.policyIds],
    reason: record.reason,
    required: record.required,
    approvals: countApprovals(record.votes),
    groups: [...record.groups],
    interactive: record.interactive,
    sessionId: record.sessionId,
    recentCalls: record.recentCalls,
    labels: [...record.labels],
    status: record.status,
    votes: record.votes.map((vote) => ({
      by: vote.by,
      decision: vote.decision,
      reason: vote.reason,
      at: vote.at,
    })),
    requestedAt: record.requestedAt,
    expiresAt: record.expiresAt,
    escalated: record.escalated,
    escalateAt: record.escalateAt,
    decidedAt: record.decidedAt,
    executedAt: record.executedAt,
  };
}

/** Distinct people who approved (by email when known, else by actor). */
function countApprovals(votes: readonly ApprovalVote[]): number {
  return new Set(
    votes.filter((vote) => vote.decision === 'approve').map((vote) => vote.email?.toLowerCase() ?? vote.by),
  ).size;
}

function sameVoter(vote: ApprovalVote, decider: Decider): boolean {
  if (vote.by === decider.actor) return true;
  return (
    vote.email !== null && decider.email !== null && vote.email.toLowerCase() === decider.email.toLowerCase()
  );
}

function describe(record: ApprovalRecord): string {
  return `approval request ${record.id} (${record.tool} for agent "${record.agentName}")`;
}

function subject(id: string): string {
  return `approval:${id}`;
}

function notFound(id: string): WardenError {
  return new WardenError(
    'WARDEN_APPROVAL_NOT_FOUND',
    `There is no approval request "${String(id).slice(0, 80)}"; check the id (it starts with apr_), or list the requests in the console or through the admin API.`,
    { approvalId: String(id).slice(0, 80) },
  );
}

function expiredError(record: ApprovalRecord): WardenError {
  const what =
    record.decidedAt !== null && countApprovals(record.votes) >= record.required
      ? `was approved but the call was not made again before ${record.expiresAt}`
      : `expired at ${record.expiresAt} without a decision`;
  return new WardenError(
    'WARDEN_APPROVAL_EXPIRED',
    `The ${describe(record)} ${what}; it can no longer be decided or run. The agent must make the call again to ask for a new approval.`,
    { approvalId: record.id, tool: record.tool, agent: record.agentName, expiresAt: record.expiresAt },
  );
}

function alreadyDecided(record: ApprovalRecord): WardenError {
  const deciders = record.votes.map((vote) => `${vote.by} (${vote.decision})`).join(', ');
  return new WardenError(
    'WARDEN_APPROVAL_ALREADY_DECIDED',
    `The ${describe(record)} is already ${record.status}${deciders === '' ? '' : ` by ${deciders}`}; only pending requests can be decided.`,
    { approvalId: record.id, status: record.status },
  );
}

function notAllowed(record: ApprovalRecord, decider: Decider, reason: string): WardenError {
  return new WardenError(
    'WARDEN_APPROVAL_NOT_ALLOWED',
    `${decider.actor} may not decide the ${describe(record)}: ${reason}.`,
    { approvalId: record.id, actor: decider.actor },
  );
}

function conflict(id: string, what: string): WardenError {
  return new WardenError(
    'WARDEN_STORE_CONFLICT',
    `Approval request ${id} kept changing while ${what} (${MAX_ATTEMPTS} attempts); try again.`,
    { approvalId: id },
  );
}

/**
 * Holds calls for human approval and runs each approved call at most once.
 *
 * @example
 * const approvals = new ApprovalService({ store: store.approvals, audit, keys: masterKey, config, clock: systemClock });
 * approvals.start();
 * const { approval } = await approvals.request({ agent, tool: 'bank__transfer', risk: 'financial', arguments, requirement, sessionId, recentCalls: [], labels: [] });
 * const decided = await approvals.waitForDecision(approval.id, { timeoutMs: 60_000 });
 * if (decided.status === 'approved') {
 *   const claim = await approvals.claimExecution(approval.id);
 *   if (claim.kind === 'claimed') {
 *     const result = await callUpstream(arguments);
 *     await approvals.recordExecution(approval.id, { result }, `agent:${agent.name}`);
 *   }
 * }
 */
export class ApprovalService {
  readonly #store: ApprovalStore;
  readonly #audit: AuditRecorder;
  readonly #keys: KeyDerivation;
  readonly #settings: ResolvedConfig['approvals'];
  readonly #clock: Clock;
  readonly #notifier: ApprovalNotifier | null;
  readonly #logger: ApprovalLogger | null;
  readonly #maskArguments: ((args: JsonObject) => JsonObject) | null;
  readonly #digestKey: Uint8Array;
  /** Waits to wake when this process changes a request, by request id. */
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Changes in flight in this process, so concurrent identical ones share one audit entry. */
  readonly #inflight = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #closed = false;

  constructor(options: ApprovalServiceOptions) {
    this.#store = options.store;
    this.#audit = options.audit;
    this.#keys = options.keys;
    this.#settings = options.config.approvals;
    this.#clock = options.clock;
    this.#notifier = options.notifier ?? null;
    this.#logger = options.logger ?? null;
    this.#maskArguments = options.maskArguments ?? null;
    this.#digestKey = options.keys.deriveKey('approval-digest');
  }

  /**
   * HMAC-SHA256 (hex) of the RFC 8785 canonical `{tool, arguments}`, keyed by a key derived from the
   * master key ('approval-digest'): the same call always has the same digest, key order aside, and
   * the digest says nothing about the arguments to someone without the master key.
   */
  digest(tool: string, args: JsonObject): string {
    return createHmac('sha256', this.#digestKey)
      .update(canonicalJson({ tool, arguments: args }))
      .digest('hex');
  }

  /**
   * Finds the request a call belongs to, or records a new one.
   *
   * With `approvalId` (the agent retrying a named request): that request, which must be this
   * agent's (else WARDEN_APPROVAL_NOT_FOUND) for the same tool and arguments (else
   * WARDEN_APPROVAL_ARGUMENTS_CHANGED: changed arguments need a new approval). Without: the newest
   * request of this agent, tool and arguments that has not expired, whatever its status. A request
   * found is returned as it is (denied, expired or failed ones too: the pipeline turns each status
   * into its answer) and nothing is recorded. Otherwise a new request is recorded: audit
   * `approval-requested` first, then stored, then notified.
   *
   * The request expires after `requirement.expirySeconds` (else `approvals.expiry`). It escalates
   * after `approvals.escalation.after` when that is sooner, and only when the request is limited to
   * groups that the escalation adds to (a request any approver may decide has nothing to widen).
   *
   * @throws WARDEN_INVALID_ARGUMENTS when the arguments are too large to keep sealed (over about
   *   768 KiB of JSON).
   */
  async request(input: NewApprovalRequest): Promise<ApprovalLookup> {
    const digest = this.digest(input.tool, input.arguments);
    if (input.approvalId !== undefined) {
      const named = await this.#named(input, digest);
      return { approval: (await this.#settle(named)).record, created: false };
    }
    const key = `request:${input.agent.id}:${input.tool}:${digest}`;
    const running = this.#inflight.get(key) as Promise<ApprovalLookup> | undefined;
    if (running !== undefined) return { approval: (await running).approval, created: false };
    return this.#once(key, async () => {
      const existing = await this.#store.findMatching(
        input.agent.id,
        input.tool,
        digest,
        isoTime(this.#clock),
      );
      // A call that ran and failed used up its approval: the same call asks again. (A denial stands
      // until the request would have expired, so an agent cannot wear approvers down by retrying.)
      if (existing !== null && existing.status !== 'failed') return { approval: existing, created: false };
      return { approval: await this.#create(input, digest), created: true };
    });
  }

  /** The request the agent named, checked against the call. */
  async #named(input: NewApprovalRequest, digest: string): Promise<ApprovalRecord> {
    const id = input.approvalId ?? '';
    const record = ID_PATTERN.test(id) ? await this.#store.get(id) : null;
    // Another agent's request is reported as missing: its existence is not this agent's business.
    if (record === null || record.agentId !== input.agent.id) throw notFound(id);
    if (record.tool !== input.tool || record.argumentsDigest !== digest) {
      const what =
        record.tool !== input.tool
          ? `was for tool ${record.tool}, not ${input.tool}`
          : 'was for other arguments';
      throw new WardenError(
        'WARDEN_APPROVAL_ARGUMENTS_CHANGED',
        `Approval request ${record.id} ${what}: an approval covers only the exact call it was asked for, so changed arguments need a new approval. Make the call without warden/approvalId to ask for one.`,
        { approvalId: record.id, tool: input.tool },
      );
    }
    return record;
  }

  async #create(input: NewApprovalRequest, digest: string): Promise<ApprovalRecord> {
    const id = newId('apr');
    const argumentsSealed = this.#sealArguments(id, input.tool, input.arguments);
    const argumentsRedacted = redactDetail(
      this.#maskArguments === null ? input.arguments : this.#maskArguments(input.arguments),
    );
    const nowMs = this.#clock.now();
    const requirement = input.requirement;
    const expirySeconds = requirement.expirySeconds ?? this.#settings.expiry;
    const groups = [...new Set(requirement.groups)];
    const escalation = this.#settings.escalation;
    const escalates =
      escalation !== undefined &&
      groups.length > 0 &&
      escalation.to.some((group) => !groups.includes(group)) &&
      escalation.after < expirySeconds;
    const keep = this.#settings.recentCalls;
    const recentCalls = keep === 0 ? [] : input.recentCalls.slice(-keep);
    const record: ApprovalRecord = {
      id,
      agentId: input.agent.id,
      agentName: input.agent.name,
      agentOwner: input.agent.owner,
      tool: input.tool,
      risk: input.risk,
      argumentsDigest: digest,
      argumentsSealed,
      argumentsRedacted,
      policyIds: [...requirement.policyIds],
      reason: requirement.reason,
      required: Math.max(1, Math.floor(requirement.required)),
      groups,
      interactive: requirement.interactive,
      sessionId: input.sessionId,
      recentCalls: recentCalls.map((call) => ({ tool: call.tool, decision: call.decision, at: call.at })),
      labels: [...input.labels],
      status: 'pending',
      votes: [],
      requestedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + expirySeconds * 1000).toISOString(),
      escalateAt: escalates ? new Date(nowMs + escalation.after * 1000).toISOString() : null,
      escalated: false,
      decidedAt: null,
      executedAt: null,
      resultSealed: null,
      version: 1,
    };
    const actor = `agent:${record.agentName}`;
    await this.#audit.record({
      type: 'approval-requested',
      actor,
      session: record.sessionId,
      subject: subject(id),
      policyIds: record.policyIds,
      detail: {
        agent: record.agentName,
        tool: record.tool,
        risk: record.risk,
        argumentsDigest: digest,
        reason: record.reason,
        required: record.required,
        groups: record.groups,
        interactive: record.interactive,
        labels: record.labels,
        expiresAt: record.expiresAt,
        escalateAt: record.escalateAt,
      },
    });
    await this.#store.create(record);
    this.#notify({ event: 'approval-requested', approval: record, actor });
    return record;
  }

  #sealArguments(id: string, tool: string, args: JsonObject): string {
    const json = JSON.stringify(args);
    let sealed: string | null = null;
    if (json.length <= MAX_SEALED_LENGTH) {
      try {
        sealed = seal(this.#keys, json, `approval-arguments:${id}`);
      } catch {
        sealed = null;
      }
    }
    if (sealed === null || sealed.length > MAX_SEALED_LENGTH) {
      throw new WardenError(
        'WARDEN_INVALID_ARGUMENTS',
        `The arguments of ${tool} are ${Buffer.byteLength(json)} bytes of JSON, too large to hold for approval: a held call may carry at most about 768 KiB of arguments, because they are kept sealed for approvers to reveal. Pass smaller arguments (for example a reference to a file), or ask for a policy that does not hold this call for approval.`,
        { tool, bytes: Buffer.byteLength(json) },
      );
    }
    return sealed;
  }

  /** The stored request, or null. */
  get(id: string): Promise<ApprovalRecord | null> {
    return typeof id === 'string' && ID_PATTERN.test(id) ? this.#store.get(id) : Promise.resolve(null);
  }

  /** The approver's view (redacted arguments). @throws WARDEN_APPROVAL_NOT_FOUND */
  async view(id: string): Promise<ApprovalView> {
    return approvalView(await this.#require(id));
  }

  /** Views of the requests matching `query` (newest first by default, at most 1,000). */
  async list(query: ApprovalQuery = {}): Promise<ApprovalView[]> {
    return (await this.#store.list(query)).map(approvalView);
  }

  /**
   * Whether `decider` may decide `approval` now, and if not why. Only roles admin and approver
   * decide (auditors never); with `approvals.separationOfDuties` the agent's owner (same email, any
   * case) may not; each person votes once; when the request is limited to groups, the decider must
   * be in one of them (once the escalation time has passed, the escalation groups count too) or be an
   * admin. A decider without a known email (the CLI) is not checked for separation of duties.
   */
  eligibility(approval: ApprovalRecord, decider: Decider): { ok: true } | { ok: false; reason: string } {
    if (!decider.roles.includes('admin') && !decider.roles.includes('approver')) {
      return {
        ok: false,
        reason: `only admins and approvers decide approval requests, and ${decider.actor} has role(s) ${decider.roles.join(', ') || '(none)'}`,
      };
    }
    if (
      this.#settings.separationOfDuties &&
      decider.email !== null &&
      decider.email.toLowerCase() === approval.agentOwner.toLowerCase()
    ) {
      return {
        ok: false,
        reason: `${decider.email} owns agent "${approval.agentName}", and separation of duties (approvals.separationOfDuties) needs someone other than an agent's owner to decide its requests; ask another approver`,
      };
    }
    const earlier = approval.votes.find((vote) => sameVoter(vote, decider));
    if (earlier !== undefined) {
      return {
        ok: false,
        reason: `${decider.actor} already voted (${earlier.decision}) on it; each person votes once, and ${countApprovals(approval.votes)} of ${approval.required} approvals are in, so another person must decide`,
      };
    }
    const groups = this.#effectiveGroups(approval);
    if (
      groups.length > 0 &&
      !decider.roles.includes('admin') &&
      !groups.some((group) => decider.groups.includes(group))
    ) {
      const escalation = this.#settings.escalation;
      const later =
        approval.escalateAt !== null && !approval.escalated && escalation !== undefined
          ? `; from ${approval.escalateAt} group(s) ${escalation.to.join(', ')} may decide too`
          : '';
      return {
        ok: false,
        reason: `it is for approver group(s) ${groups.join(', ')}, and ${decider.actor} is in ${decider.groups.length === 0 ? 'no group' : `group(s) ${decider.groups.join(', ')}`}${later}`,
      };
    }
    return { ok: true };
  }

  /** The groups that may decide now: the stored ones, plus the escalation groups once escalation is due. */
  #effectiveGroups(approval: ApprovalRecord): string[] {
    const escalation = this.#settings.escalation;
    if (
      escalation !== undefined &&
      approval.status === 'pending' &&
      !approval.escalated &&
      approval.escalateAt !== null &&
      Date.parse(approval.escalateAt) <= this.#clock.now()
    ) {
      return [...new Set([...approval.groups, ...escalation.to])];
    }
    return approval.groups;
  }

  /**
   * Records a vote: audit `approval-approved` or `approval-denied` first, then a version-checked
   * update, re-read and re-checked on conflict (so two people approving at once both count). One
   * deny denies; `required` distinct approvals approve, and the agent then has
   * `approvals.executeWithin` to make the call again.
   *
   * @throws WARDEN_INVALID_REQUEST without a reason of 1 to 2,000 characters;
   *   WARDEN_APPROVAL_NOT_FOUND; WARDEN_APPROVAL_EXPIRED (expired now if it had not been yet);
   *   WARDEN_APPROVAL_ALREADY_DECIDED; WARDEN_APPROVAL_NOT_ALLOWED, saying why.
   */
  async decide(
    id: string,
    decider: Decider,
    decision: 'approve' | 'deny',
    reason: string,
  ): Promise<ApprovalView> {
    if (decision !== 'approve' && decision !== 'deny') {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        `A decision is "approve" or "deny", not "${String(decision).slice(0, 40)}".`,
        { approvalId: String(id).slice(0, 80) },
      );
    }
    const text = typeof reason === 'string' ? reason.trim() : '';
    if (text.length === 0 || text.length > MAX_REASON_LENGTH) {
      throw new WardenError(
        'WARDEN_INVALID_REQUEST',
        `Deciding an approval request needs a reason of 1 to ${MAX_REASON_LENGTH} characters (it is recorded and shown to the agent); say why you ${decision} it.`,
        { approvalId: String(id).slice(0, 80) },
      );
    }
    let current = await this.#decidable(await this.#require(id), decider);
    const at = isoTime(this.#clock);
    const vote: ApprovalVote = { by: decider.actor, email: decider.email, decision, reason: text, at };
    await this.#audit.record({
      type: decision === 'approve' ? 'approval-approved' : 'approval-denied',
      actor: decider.actor,
      session: current.sessionId,
      subject: subject(current.id),
      decision,
      detail: { agent: current.agentName, tool: current.tool, reason: text, required: current.required },
    });
    for (let attempt = 1; ; attempt += 1) {
      const updated = await this.#store.update(current.id, this.#voteChanges(current, vote), current.version);
      if (updated !== null) {
        this.#wake(updated.id);
        this.#notify({
          event: decision === 'approve' ? 'approval-approved' : 'approval-denied',
          approval: updated,
          actor: decider.actor,
          reason: text,
        });
        return approvalView(updated);
      }
      if (attempt >= MAX_ATTEMPTS) throw conflict(current.id, `recording the vote of ${decider.actor}`);
      try {
        current = await this.#decidable(await this.#require(current.id), decider);
      } catch (error) {
        // The vote was recorded but no longer applies (decided, expired or voted meanwhile): say so.
        const refusal = toWardenError(error);
        await this.#audit.record({
          type: 'approval-vote-discarded',
          actor: decider.actor,
          session: current.sessionId,
          subject: subject(current.id),
          decision,
          detail: { agent: current.agentName, tool: current.tool, code: refusal.code },
        });
        throw refusal;
      }
    }
  }

  /** `record` brought up to date (expired or escalated if due), if `decider` may vote on it now; else throws why not. */
  async #decidable(record: ApprovalRecord, decider: Decider): Promise<ApprovalRecord> {
    const settled = (await this.#settle(record)).record;
    if (settled.status === 'expired') throw expiredError(settled);
    if (settled.status !== 'pending') throw alreadyDecided(settled);
    const check = this.eligibility(settled, decider);
    if (!check.ok) throw notAllowed(settled, decider, check.reason);
    return settled;
  }

  #voteChanges(current: ApprovalRecord, vote: ApprovalVote): ApprovalChanges {
    const votes = [...current.votes, vote];
    if (vote.decision === 'deny') return { status: 'denied', votes, decidedAt: vote.at, escalateAt: null };
    if (countApprovals(votes) < current.required) return { votes };
    return {
      status: 'approved',
      votes,
      decidedAt: vote.at,
      escalateAt: null,
      expiresAt: new Date(Date.parse(vote.at) + this.#settings.executeWithin * 1000).toISOString(),
    };
  }

  /**
   * The raw arguments, for a decider whose role is in `approvals.revealRoles`; audit
   * `approval-revealed` first.
   *
   * @throws WARDEN_APPROVAL_NOT_ALLOWED for other deciders; WARDEN_APPROVAL_NOT_FOUND
   */
  async reveal(id: string, decider: Decider): Promise<JsonObject> {
    const record = await this.#require(id);
    if (!this.canReveal(decider)) {
      throw new WardenError(
        'WARDEN_APPROVAL_NOT_ALLOWED',
        `${decider.actor} may not reveal the raw arguments of the ${describe(record)}: that needs a role listed in approvals.revealRoles (${this.#settings.revealRoles.join(', ')}), and ${decider.actor} has ${decider.roles.join(', ') || 'no role'}. The masked arguments are in the request's view.`,
        { approvalId: record.id, actor: decider.actor },
      );
    }
    await this.#audit.record({
      type: 'approval-revealed',
      actor: decider.actor,
      session: record.sessionId,
      subject: subject(record.id),
      detail: { agent: record.agentName, tool: record.tool, argumentsDigest: record.argumentsDigest },
    });
    return JSON.parse(
      unseal(this.#keys, record.argumentsSealed, `approval-arguments:${record.id}`).toString('utf8'),
    ) as JsonObject;
  }

  /** Whether `decider` has a role listed in `approvals.revealRoles`. */
  canReveal(decider: Decider): boolean {
    return decider.roles.some((role) => this.#settings.revealRoles.includes(role));
  }

  /**
   * Resolves with the request once it is no longer pending, or (still pending) when `timeoutMs` of
   * wall time passed, the signal aborted or the service closed. Re-reads the store every 500 ms
   * (decisions may come from another process) and at once when this process changes the request;
   * a request whose expiry passed is expired then and there. `onTick` is called about every second.
   *
   * @throws WARDEN_APPROVAL_NOT_FOUND
   */
  async waitForDecision(
    id: string,
    options: { timeoutMs: number; signal?: AbortSignal; onTick?: (elapsedMs: number) => void },
  ): Promise<ApprovalRecord> {
    return this.#waitWhile(id, 'pending', options);
  }

  async #waitWhile(
    id: string,
    status: 'pending' | 'executing',
    options: { timeoutMs: number; signal?: AbortSignal; onTick?: (elapsedMs: number) => void },
  ): Promise<ApprovalRecord> {
    const started = performance.now();
    const onTick = options.onTick;
    const ticker =
      onTick === undefined
        ? null
        : setInterval(() => {
            try {
              onTick(Math.round(performance.now() - started));
            } catch (error) {
              this.#logger?.warn(
                { approvalId: id, error: toWardenError(error).code },
                'approval wait onTick threw',
              );
            }
          }, TICK_INTERVAL_MS);
    try {
      for (;;) {
        const record = (await this.#settle(await this.#require(id))).record;
        if (record.status !== status) return record;
        const remaining = options.timeoutMs - (performance.now() - started);
        if (remaining <= 0 || options.signal?.aborted === true || this.#closed) return record;
        await this.#pause(id, Math.min(POLL_INTERVAL_MS, remaining), options.signal);
      }
    } finally {
      if (ticker !== null) clearInterval(ticker);
    }
  }

  /**
   * Exactly once: moves an approved request to `executing` with a compare-and-set, so of any number
   * of callers (in any process) one gets `claimed` and must run the call, then recordExecution.
   * Others get `executing` (wait with waitForExecution), `executed` with the recorded result, or
   * `not-approved` (pending, denied, expired or failed). An approved request whose execution window
   * (`approvals.executeWithin`) has passed is expired here (audit `approval-expired`).
   *
   * The claim itself is no separate audit entry: the pipeline records the call's intent before it
   * runs it, and recordExecution records the outcome. A process that dies between claim and
   * recordExecution leaves the request `executing`.
   */
  async claimExecution(id: string): Promise<ExecutionClaim> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const record = (await this.#settle(await this.#require(id))).record;
      switch (record.status) {
        case 'approved': {
          const claimed = await this.#store.update(record.id, { status: 'executing' }, record.version);
          if (claimed !== null) return { kind: 'claimed', approval: claimed };
          break; // someone else moved it first: look again
        }
        case 'executing':
          return { kind: 'executing', approval: record };
        case 'executed': {
          const kept = this.#unsealResult(record);
          return {
            kind: 'executed',
            approval: record,
            result: kept?.result ?? null,
            ...(kept?.injection === undefined ? {} : { injection: kept.injection }),
          };
        }
        default:
          return { kind: 'not-approved', approval: record };
      }
    }
    throw conflict(id, 'claiming its execution');
  }

  /**
   * Records the outcome of a claimed run: audit `approval-executed` ({outcome, code?}) first, then
   * status `executed` with the result sealed, or `failed`. Results whose sealed form exceeds 1 MiB
   * are not kept (sealed values are limited to 1 MiB): the request is still `executed`, and later
   * retries get the claim `executed` with a null result (the pipeline answers
   * WARDEN_APPROVAL_ALREADY_EXECUTED). An error's message is not kept, only its code.
   *
   * @throws WARDEN_APPROVAL_NOT_FOUND; WARDEN_APPROVAL_ALREADY_EXECUTED when the outcome was already
   *   recorded; WARDEN_INTERNAL when the request was never claimed.
   */
  async recordExecution(
    id: string,
    outcome: { result: JsonObject; injection?: boolean } | { error: { code: string; message: string } },
    actor: string,
  ): Promise<void> {
    let current = await this.#require(id);
    this.#assertExecuting(current);
    const resultSealed =
      'result' in outcome ? this.#sealResult(current, outcome.result, outcome.injection === true) : null;
    const failed = !('result' in outcome);
    const detail: JsonObject = {
      agent: current.agentName,
      tool: current.tool,
      outcome: failed ? 'error' : 'result',
    };
    if (failed) detail.code = String(outcome.error.code).slice(0, 100);
    else detail.resultKept = resultSealed !== null;
    await this.#audit.record({
      type: 'approval-executed',
      actor,
      session: current.sessionId,
      subject: subject(current.id),
      detail,
    });
    const changes: ApprovalChanges = {
      status: failed ? 'failed' : 'executed',
      executedAt: isoTime(this.#clock),
      resultSealed,
    };
    for (let attempt = 1; ; attempt += 1) {
      const updated = await this.#store.update(current.id, changes, current.version);
      if (updated !== null) {
        this.#wake(updated.id);
        this.#notify({ event: 'approval-executed', approval: updated, actor });
        return;
      }
      if (attempt >= MAX_ATTEMPTS) throw conflict(current.id, 'recording its execution');
      current = await this.#require(current.id);
      this.#assertExecuting(current);
    }
  }

  #assertExecuting(record: ApprovalRecord): void {
    if (record.status === 'executing') return;
    if (record.status === 'executed' || record.status === 'failed') {
      throw new WardenError(
        'WARDEN_APPROVAL_ALREADY_EXECUTED',
        `The ${describe(record)} was already run (status ${record.status}); its outcome is recorded once.`,
        { approvalId: record.id, status: record.status },
      );
    }
    throw new WardenError(
      'WARDEN_INTERNAL',
      `recordExecution was called for the ${describe(record)} in status ${record.status}; only a request claimed with claimExecution (status executing) can be recorded as run.`,
      { approvalId: record.id, status: record.status },
    );
  }

  #sealResult(record: ApprovalRecord, result: JsonObject, injection: boolean): string | null {
    // The injection flag travels with the result, so a replay labels its session as the run did.
    const json = JSON.stringify({ [EXECUTION_RECORD_MARK]: 1, result, injection });
    if (json.length <= MAX_SEALED_LENGTH) {
      try {
        const sealed = seal(this.#keys, json, `approval-result:${record.id}`);
        if (sealed.length <= MAX_SEALED_LENGTH) return sealed;
      } catch {
        // too large to seal: not kept, reported below
      }
    }
    this.#logger?.warn(
      { approvalId: record.id, tool: record.tool, bytes: Buffer.byteLength(json) },
      'approved call result too large to keep (over 1 MiB sealed); later retries get WARDEN_APPROVAL_ALREADY_EXECUTED',
    );
    return null;
  }

  /** The kept result and its injection flag (undefined for a record kept before the flag was). */
  #unsealResult(record: ApprovalRecord): { result: JsonObject; injection?: boolean } | null {
    if (record.resultSealed === null) return null;
    const kept = JSON.parse(
      unseal(this.#keys, record.resultSealed, `approval-result:${record.id}`).toString('utf8'),
    ) as JsonObject;
    if (kept[EXECUTION_RECORD_MARK] === 1 && typeof kept.result === 'object' && kept.result !== null) {
      return { result: kept.result as JsonObject, injection: kept.injection === true };
    }
    return { result: kept };
  }

  /**
   * For a caller that found the request `executing`: waits (like waitForDecision) until it is
   * executed or failed, or the timeout passes, then returns the claim as claimExecution would.
   */
  async waitForExecution(
    id: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ExecutionClaim> {
    await this.#waitWhile(id, 'executing', options);
    return this.claimExecution(id);
  }

  /**
   * Expires pending requests past their expiry (audit `approval-expired` by `system`, then a
   * compare-and-set, then notify) and escalates those past their escalation time (the
   * `approvals.escalation.to` groups join; audit `approval-escalated`). Safe to run in several
   * processes at once. Every due request is tried; the first failure is thrown afterwards.
   */
  async sweep(): Promise<{ expired: number; escalated: number }> {
    const due = await this.#store.due(isoTime(this.#clock));
    let expired = 0;
    let escalated = 0;
    let failure: unknown = null;
    for (const record of due) {
      try {
        const settled = await this.#settle(record);
        if (!settled.changed) continue;
        if (settled.record.status === 'expired') expired += 1;
        else if (settled.record.escalated) escalated += 1;
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw toWardenError(failure);
    return { expired, escalated };
  }

  /** Sweeps every `intervalMs` (default 1000) until close(); failures go to the logger. */
  start(intervalMs: number = DEFAULT_SWEEP_INTERVAL_MS): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#sweeping !== null) return; // the previous sweep is still running
      this.#sweeping = this.sweep()
        .then(
          () => undefined,
          (error: unknown) => {
            const wrapped = toWardenError(error);
            this.#logger?.error({ code: wrapped.code, error: wrapped.message }, 'approval sweep failed');
          },
        )
        .finally(() => {
          this.#sweeping = null;
        });
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the sweeper, waits for a sweep in progress, and lets every wait in progress return. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#sweeping;
    for (const id of [...this.#waiters.keys()]) this.#wake(id);
  }

  async #require(id: string): Promise<ApprovalRecord> {
    const record = await this.get(id);
    if (record === null) throw notFound(id);
    return record;
  }

  /** Expires `record` if its deadline passed, else escalates it if that is due; else returns it unchanged. */
  async #settle(record: ApprovalRecord): Promise<Transition> {
    if (this.#overdue(record)) return this.#expire(record);
    if (this.#escalationDue(record)) return this.#escalate(record);
    return { record, changed: false };
  }

  /** Pending past its expiry, or approved past its execution window. */
  #overdue(record: ApprovalRecord): boolean {
    return (
      (record.status === 'pending' || record.status === 'approved') &&
      Date.parse(record.expiresAt) <= this.#clock.now()
    );
  }

  #escalationDue(record: ApprovalRecord): boolean {
    return (
      this.#settings.escalation !== undefined &&
      record.status === 'pending' &&
      !record.escalated &&
      record.escalateAt !== null &&
      Date.parse(record.escalateAt) <= this.#clock.now()
    );
  }

  #expire(record: ApprovalRecord): Promise<Transition> {
    return this.#once(`expire:${record.id}`, async () => {
      await this.#audit.record({
        type: 'approval-expired',
        actor: 'system',
        session: record.sessionId,
        subject: subject(record.id),
        detail: {
          agent: record.agentName,
          tool: record.tool,
          stage: record.status === 'approved' ? 'execution' : 'decision',
          expiresAt: record.expiresAt,
          approvals: countApprovals(record.votes),
          required: record.required,
        },
      });
      return this.#apply(record, { status: 'expired', escalateAt: null }, 'approval-expired', (fresh) =>
        this.#overdue(fresh),
      );
    });
  }

  #escalate(record: ApprovalRecord): Promise<Transition> {
    const to = this.#settings.escalation?.to ?? [];
    const groups = (current: ApprovalRecord): string[] => [...new Set([...current.groups, ...to])];
    return this.#once(`escalate:${record.id}`, async () => {
      await this.#audit.record({
        type: 'approval-escalated',
        actor: 'system',
        session: record.sessionId,
        subject: subject(record.id),
        detail: {
          agent: record.agentName,
          tool: record.tool,
          groups: record.groups,
          added: to.filter((group) => !record.groups.includes(group)),
          escalateAt: record.escalateAt,
        },
      });
      return this.#apply(
        record,
        (current) => ({ groups: groups(current), escalated: true, escalateAt: null }),
        'approval-escalated',
        (fresh) => this.#escalationDue(fresh) && !this.#overdue(fresh),
      );
    });
  }

  /**
   * The compare-and-set of a system change already recorded in the audit log: applied to the
   * latest version for as long as `stillDue` holds; when another process made or overtook the
   * change, returns the record as that left it.
   */
  async #apply(
    record: ApprovalRecord,
    changes: ApprovalChanges | ((current: ApprovalRecord) => ApprovalChanges),
    event: ApprovalNotice['event'],
    stillDue: (fresh: ApprovalRecord) => boolean,
  ): Promise<Transition> {
    let current = record;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const updated = await this.#store.update(
        current.id,
        typeof changes === 'function' ? changes(current) : changes,
        current.version,
      );
      if (updated !== null) {
        this.#wake(updated.id);
        this.#notify({ event, approval: updated, actor: 'system' });
        return { record: updated, changed: true };
      }
      const fresh = await this.#require(current.id);
      if (!stillDue(fresh)) return { record: fresh, changed: false };
      current = fresh;
    }
    throw conflict(record.id, `recording ${event}`);
  }

  /** Runs `work` once for concurrent callers with the same key in this process; they share its outcome. */
  #once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key) as Promise<T> | undefined;
    if (running !== undefined) return running;
    const started = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, started);
    return started;
  }

  /** Resolves after `ms`, when this process changes request `id`, or when `signal` aborts. */
  #pause(id: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(id);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(id, waiters);
      }
      const set = waiters;
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(id) === set) this.#waiters.delete(id);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #wake(id: string): void {
    const waiters = this.#waiters.get(id);
    if (waiters === undefined) return;
    for (const wake of [...waiters]) wake();
  }

  /** Hands a notice to the notifier, which must not throw; if it does, the notice is dropped and logged. */
  #notify(notice: ApprovalNotice): void {
    if (this.#notifier === null) return;
    try {
      this.#notifier.notify(notice);
    } catch (error) {
      this.#logger?.warn(
        { approvalId: notice.approval.id, event: notice.event, code: toWardenError(error).code },
        'approval notifier threw; the notice was dropped',
      );
    }
  }
}
