/**
 * Session labels: what each MCP session and each declared task (`_meta["warden/taskId"]`) has read
 * and done, so policy can decide a call on what came before it (the "lethal trifecta" templates).
 * Labels only grow while a session or task lives: nothing a call does can clear them. Task state is
 * bounded per agent and fails closed at the bound (a new task id is refused, never an old task's
 * labels dropped); tasks idle longer than the configured time are forgotten, never while a call of
 * theirs is in flight (approval waits and upstream calls can be long), and a result that arrives late
 * lands on the task's live state. Session states idle longer than a bound are swept as a safety net
 * for sessions whose end was missed. State is in memory, per process.
 */
import { WardenError } from '../core/index.js';
import type { Clock, JsonObject, JsonValue } from '../core/index.js';
import type { PolicySessionLabels } from '../policy/index.js';
import type { ResultLabels, SessionCall, SessionSummary } from './types.js';

/** `_meta` key of the task a call belongs to. */
export const TASK_META_KEY = 'warden/taskId';

/** A task id: 1–128 characters from [A-Za-z0-9._:-]. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Latest calls kept per session or task for its summary. */
const RECENT_CALLS = 20;

/** How often (at most) expired tasks and sessions are looked for on the call path. */
const SWEEP_EVERY_MS = 60_000;

/** Default bound on a session state's idle time (the MCP session idle timeout's default). */
const DEFAULT_SESSION_IDLE_SECONDS = 30 * 60;

/**
 * A state with calls in flight is kept at most this long past its idle timeout: a safety net for a
 * call whose end was never noted (its labels then still land on the live state, see noteResult).
 */
const IN_FLIGHT_GRACE_MS = 24 * 3_600_000;

export interface SessionTrackerOptions {
  /** Data class names from least to most sensitive (config `dataClasses`). */
  dataClasses: readonly string[];
  clock: Clock;
  /** A task without a call for this long is forgotten (config `sessions.taskIdleTimeout`). */
  taskIdleTimeoutSeconds: number;
  /** Live tasks per agent (config `sessions.maxTasksPerAgent`). */
  maxTasksPerAgent: number;
  /**
   * A session state without activity for this long is swept even if its end was never noted (pass
   * the MCP session idle timeout; default 30 minutes).
   */
  sessionIdleTimeoutSeconds?: number;
}

/** The label state of one session or task. */
export class LabelState {
  untrusted = false;
  injection = false;
  /** Rank of the most sensitive class read, -1 when none. */
  maxRank = -1;
  readonly classesRead = new Set<string>();
  readonly toolCounts = new Map<string, number>();
  readonly riskCounts = new Map<string, number>();
  bytesRead = 0;
  readonly recentCalls: SessionCall[] = [];
  lastActivityAt: number;
  /** Calls entered and not yet left (see SessionTracker.leave). */
  inFlight = 0;
  /** The live state that took over this one's labels after it expired, or null. */
  replacedBy: LabelState | null = null;

  constructor(
    readonly id: string,
    readonly kind: 'mcp' | 'task',
    readonly agent: string,
    readonly startedAt: number,
    readonly task: string | null,
  ) {
    this.lastActivityAt = startedAt;
  }
}

/** The states one call updates: its session's and, when it names one, its task's. */
export interface CallLabels {
  readonly session: LabelState;
  readonly task: LabelState | null;
}

/**
 * Keeps the labels of sessions and tasks and updates them as calls are counted and results arrive.
 * One instance serves the whole gateway (`warden.gateway.sessions`).
 *
 * @example
 * const labels = tracker.enter('mcp-session-id', 'support-bot', tracker.taskOf(request.meta));
 * authorizer.decide({ ...request, session: { ...counts, labels: tracker.policyLabels(labels) } });
 * tracker.noteResult(labels, { classes: ['confidential'], bytes: 512, untrusted: false, injection: false });
 */
export class SessionTracker {
  readonly #ranks: ReadonlyMap<string, number>;
  readonly #classNames: readonly string[];
  readonly #clock: Clock;
  readonly #taskIdleMs: number;
  readonly #maxTasksPerAgent: number;
  readonly #sessionIdleMs: number;
  /** Sessions by id, least recently active first (a touched session moves to the end). */
  readonly #sessions = new Map<string, LabelState>();
  /** Calls entered and not yet left; when the caller drops one without leave(), its count is given back. */
  readonly #calls = new FinalizationRegistry<LabelState[]>((states) => {
    for (const state of states) state.inFlight = Math.max(0, state.inFlight - 1);
  });
  readonly #left = new WeakSet<CallLabels>();
  /** Tasks by `<agent>\0<task id>`, least recently used first (a touched task moves to the end). */
  readonly #tasks = new Map<string, LabelState>();
  readonly #tasksPerAgent = new Map<string, number>();
  #lastSweep = 0;

  constructor(options: SessionTrackerOptions) {
    this.#classNames = [...options.dataClasses];
    this.#ranks = new Map(options.dataClasses.map((name, index) => [name, index]));
    this.#clock = options.clock;
    this.#taskIdleMs = options.taskIdleTimeoutSeconds * 1000;
    this.#maxTasksPerAgent = options.maxTasksPerAgent;
    this.#sessionIdleMs = (options.sessionIdleTimeoutSeconds ?? DEFAULT_SESSION_IDLE_SECONDS) * 1000;
  }

  /**
   * The task a call names in `_meta["warden/taskId"]`, or null when it names none.
   *
   * @throws WardenError WARDEN_TASK_ID_INVALID when the value is not 1–128 characters [A-Za-z0-9._:-].
   */
  taskOf(meta: JsonObject | undefined): string | null {
    if (meta === undefined || !Object.hasOwn(meta, TASK_META_KEY)) return null;
    const value: JsonValue | undefined = meta[TASK_META_KEY];
    if (typeof value === 'string' && TASK_ID_PATTERN.test(value)) return value;
    throw new WardenError(
      'WARDEN_TASK_ID_INVALID',
      `_meta["${TASK_META_KEY}"] must be a string of 1 to 128 characters from A-Z, a-z, 0-9, ".", "_", ":" and "-"; fix the task id and call again (nothing was executed)`,
      { meta: TASK_META_KEY },
    );
  }

  /**
   * The states a call of `agent` in `sessionId` (and `task`) updates, created on first use. A task
   * idle for longer than the idle timeout (with no call in flight) starts afresh. The call counts as
   * in flight until {@link leave} (or until the returned object is garbage collected).
   *
   * @throws WardenError WARDEN_TASK_LIMIT_REACHED when `task` is new and the agent already has
   * `maxTasksPerAgent` live tasks (fail closed: no live task's labels are dropped to make room).
   */
  enter(sessionId: string, agent: string, task: string | null): CallLabels {
    const now = this.#clock.now();
    if (now - this.#lastSweep >= SWEEP_EVERY_MS) this.sweep();
    let session = this.#sessions.get(sessionId);
    if (session === undefined) {
      session = new LabelState(sessionId, 'mcp', agent, now, null);
    } else {
      this.#sessions.delete(sessionId);
    }
    session.lastActivityAt = now;
    this.#sessions.set(sessionId, session);
    if (task === null) return this.#track({ session, task: null });
    const key = taskKey(agent, task);
    let state = this.#tasks.get(key);
    if (state !== undefined && this.#expired(state, this.#taskIdleMs, now)) {
      this.#dropTask(key, state);
      state = undefined;
    }
    if (state === undefined) {
      if ((this.#tasksPerAgent.get(agent) ?? 0) >= this.#maxTasksPerAgent) {
        this.sweep();
        if ((this.#tasksPerAgent.get(agent) ?? 0) >= this.#maxTasksPerAgent) {
          throw new WardenError(
            'WARDEN_TASK_LIMIT_REACHED',
            `agent "${agent}" already has ${this.#maxTasksPerAgent} live tasks, so a call naming the new task "${task}" is refused (nothing was executed); continue an existing task, or wait until tasks idle for ${Math.round(this.#taskIdleMs / 1000)} s expire (sessions.taskIdleTimeout, sessions.maxTasksPerAgent)`,
            { agent, task, limit: this.#maxTasksPerAgent },
          );
        }
      }
      state = new LabelState(`task:${agent}:${task}`, 'task', agent, now, task);
      this.#tasksPerAgent.set(agent, (this.#tasksPerAgent.get(agent) ?? 0) + 1);
    } else {
      this.#tasks.delete(key);
    }
    state.lastActivityAt = now;
    this.#tasks.set(key, state);
    return this.#track({ session, task: state });
  }

  /**
   * The call is over (answered, refused or failed): it no longer keeps its task or session from
   * expiring. Idempotent.
   */
  leave(labels: CallLabels): void {
    if (this.#left.has(labels)) return;
    this.#left.add(labels);
    this.#calls.unregister(labels);
    const now = this.#clock.now();
    for (const state of this.#statesOf(labels)) {
      state.inFlight = Math.max(0, state.inFlight - 1);
      state.lastActivityAt = Math.max(state.lastActivityAt, now);
    }
  }

  #track(labels: CallLabels): CallLabels {
    const states = statesOf(labels);
    for (const state of states) state.inFlight += 1;
    this.#calls.register(labels, states, labels);
    return labels;
  }

  /** Whether a state idle since its last activity counts as gone (never with calls in flight, within the grace). */
  #expired(state: LabelState, idleMs: number, now: number): boolean {
    const idle = now - state.lastActivityAt;
    if (idle <= idleMs) return false;
    return state.inFlight === 0 || idle > idleMs + IN_FLIGHT_GRACE_MS;
  }

  /**
   * The live states for a call: its session, and its task as it is now (looked up by key). A task
   * state that expired meanwhile is taken back, or its labels are carried into the state that
   * replaced it, so a late result is never lost.
   */
  #statesOf(labels: CallLabels): LabelState[] {
    const now = this.#clock.now();
    const session = labels.session;
    session.lastActivityAt = Math.max(session.lastActivityAt, now);
    if (labels.task === null) return [session];
    let task = labels.task;
    while (task.replacedBy !== null) task = task.replacedBy;
    const key = taskKey(task.agent, task.task ?? '');
    const current = this.#tasks.get(key);
    if (current === undefined) {
      this.#tasks.set(key, task);
      this.#tasksPerAgent.set(task.agent, (this.#tasksPerAgent.get(task.agent) ?? 0) + 1);
    } else if (current !== task) {
      mergeInto(current, task);
      task.replacedBy = current;
      task = current;
    } else {
      this.#tasks.delete(key);
      this.#tasks.set(key, task);
    }
    task.lastActivityAt = Math.max(task.lastActivityAt, now);
    return [session, task];
  }

  /**
   * The labels policy sees for a call: the session's merged with its task's (either one untrusted
   * makes it untrusted; the most sensitive class of both; label names united; counts and bytes the
   * larger of the two, since a call of the task in this session is counted in both).
   */
  policyLabels(labels: CallLabels): PolicySessionLabels {
    const { session, task } = labels;
    const riskCounts: Record<string, number> = Object.fromEntries(session.riskCounts);
    if (task !== null) {
      for (const [risk, count] of task.riskCounts) riskCounts[risk] = Math.max(riskCounts[risk] ?? 0, count);
    }
    const maxRank = Math.max(session.maxRank, task?.maxRank ?? -1);
    return {
      untrusted: session.untrusted || task?.untrusted === true,
      maxClassification: maxRank < 0 ? null : (this.#classNames[maxRank] ?? null),
      labels: labelNames(session, task),
      riskCounts,
      bytesRead: Math.max(session.bytesRead, task?.bytesRead ?? 0),
      task: task?.task ?? null,
    };
  }

  /** The labels of a session alone (for `tools/list`), or undefined when it made no call yet. */
  sessionLabels(sessionId: string): PolicySessionLabels | undefined {
    const session = this.#sessions.get(sessionId);
    return session === undefined ? undefined : this.policyLabels({ session, task: null });
  }

  /**
   * Counts a call that is about to run (its intent is being recorded) on its session and task.
   * Returns a function that gives the count back, for when the call does not run after all.
   */
  noteCall(labels: CallLabels, tool: string, risk: string): () => void {
    const states = this.#statesOf(labels);
    for (const state of states) {
      increment(state.toolCounts, tool, 1);
      increment(state.riskCounts, risk, 1);
    }
    return () => {
      for (const state of states) {
        increment(state.toolCounts, tool, -1);
        increment(state.riskCounts, risk, -1);
      }
    };
  }

  /** Keeps a decided call in the latest calls of its session and task. */
  noteDecision(labels: CallLabels, tool: string, decision: string): void {
    const call = { tool, decision, at: new Date(this.#clock.now()).toISOString() };
    for (const state of this.#statesOf(labels)) {
      state.recentCalls.push(call);
      if (state.recentCalls.length > RECENT_CALLS) state.recentCalls.shift();
    }
  }

  /**
   * A result arrived (or was withheld for carrying an injection): the classes read, the bytes and
   * untrusted content are added to the session's and the task's labels. A class name that is not a
   * configured data class counts as the most sensitive one.
   */
  noteResult(labels: CallLabels, result: ResultLabels): void {
    for (const state of this.#statesOf(labels)) {
      for (const name of result.classes) {
        if (name === null) continue;
        const rank = this.#ranks.get(name) ?? this.#classNames.length - 1;
        const known = this.#classNames[rank] ?? name;
        state.classesRead.add(known);
        if (rank > state.maxRank) state.maxRank = rank;
      }
      if (Number.isSafeInteger(result.bytes) && result.bytes > 0) state.bytesRead += result.bytes;
      if (result.untrusted || result.injection) state.untrusted = true;
      if (result.injection) state.injection = true;
    }
  }

  /**
   * The labels for an audit entry, kept small: `{ untrusted, maxClassification, task? }` (merged as
   * policy sees them).
   */
  auditLabels(labels: CallLabels): JsonObject {
    const maxRank = Math.max(labels.session.maxRank, labels.task?.maxRank ?? -1);
    return {
      untrusted: labels.session.untrusted || labels.task?.untrusted === true,
      maxClassification: maxRank < 0 ? null : (this.#classNames[maxRank] ?? null),
      ...(labels.task === null ? {} : { task: labels.task.task }),
    };
  }

  /** A session ended (MCP session closed): its labels are forgotten. Its tasks live on. */
  end(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  /**
   * Forgets tasks idle for longer than the task idle timeout and session states idle for longer than
   * the session bound, except those with calls in flight. Returns how many tasks were dropped.
   */
  sweep(): number {
    const now = this.#clock.now();
    this.#lastSweep = now;
    let dropped = 0;
    // Least recently used first: stop at the first one idle for less than the timeout.
    for (const [key, state] of this.#tasks) {
      if (now - state.lastActivityAt <= this.#taskIdleMs) break;
      if (!this.#expired(state, this.#taskIdleMs, now)) continue;
      this.#dropTask(key, state);
      dropped += 1;
    }
    for (const [id, state] of this.#sessions) {
      if (now - state.lastActivityAt <= this.#sessionIdleMs) break;
      if (this.#expired(state, this.#sessionIdleMs, now)) this.#sessions.delete(id);
    }
    return dropped;
  }

  /** Every tracked session and live task, most recently active first. */
  list(): SessionSummary[] {
    const now = this.#clock.now();
    const states = [...this.#sessions.values()];
    for (const state of this.#tasks.values()) {
      if (!this.#expired(state, this.#taskIdleMs, now)) states.push(state);
    }
    return states.sort((a, b) => b.lastActivityAt - a.lastActivityAt).map((state) => this.#summary(state));
  }

  /** One session (by MCP session id) or task (`task:<agent>:<task id>`), or null. */
  get(id: string): SessionSummary | null {
    const session = this.#sessions.get(id);
    if (session !== undefined) return this.#summary(session);
    const match = /^task:([^:]+):(.+)$/.exec(id);
    if (match === null) return null;
    const state = this.#tasks.get(taskKey(match[1]!, match[2]!));
    if (state === undefined || this.#expired(state, this.#taskIdleMs, this.#clock.now())) return null;
    return this.#summary(state);
  }

  /** Sessions and live tasks tracked, for metrics. */
  get size(): { sessions: number; tasks: number } {
    return { sessions: this.#sessions.size, tasks: this.#tasks.size };
  }

  #dropTask(key: string, state: LabelState): void {
    this.#tasks.delete(key);
    const count = (this.#tasksPerAgent.get(state.agent) ?? 1) - 1;
    if (count <= 0) this.#tasksPerAgent.delete(state.agent);
    else this.#tasksPerAgent.set(state.agent, count);
  }

  #summary(state: LabelState): SessionSummary {
    return {
      id: state.id,
      kind: state.kind,
      agent: state.agent,
      startedAt: new Date(state.startedAt).toISOString(),
      lastActivityAt: new Date(state.lastActivityAt).toISOString(),
      labels: {
        untrusted: state.untrusted,
        maxClassification: state.maxRank < 0 ? null : (this.#classNames[state.maxRank] ?? null),
        toolCounts: Object.fromEntries(state.toolCounts),
        riskCounts: Object.fromEntries(state.riskCounts),
        bytesRead: state.bytesRead,
      },
      recentCalls: state.recentCalls.map((call) => ({ ...call })),
    };
  }
}

function statesOf(labels: CallLabels): LabelState[] {
  return labels.task === null ? [labels.session] : [labels.session, labels.task];
}

function taskKey(agent: string, task: string): string {
  return `${agent}\u0000${task}`;
}

/** Labels only grow: an expired state's labels and counts are added to the state that replaced it. */
function mergeInto(target: LabelState, source: LabelState): void {
  target.untrusted ||= source.untrusted;
  target.injection ||= source.injection;
  target.maxRank = Math.max(target.maxRank, source.maxRank);
  for (const name of source.classesRead) target.classesRead.add(name);
  for (const [tool, count] of source.toolCounts) increment(target.toolCounts, tool, count);
  for (const [risk, count] of source.riskCounts) increment(target.riskCounts, risk, count);
  target.bytesRead += source.bytesRead;
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

/** `untrusted`, `injection` and `read:<class>` for each class read, of the session and its task. */
function labelNames(session: LabelState, task: LabelState | null): string[] {
  const names = new Set<string>();
  for (const state of task === null ? [session] : [session, task]) {
    if (state.untrusted) names.add('untrusted');
    if (state.injection) names.add('injection');
    for (const name of state.classesRead) names.add(`read:${name}`);
  }
  return [...names];
}
