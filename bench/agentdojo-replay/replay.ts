/**
 * AgentDojo replay through the real Warden gateway. For one suite file and one policy directory it
 * starts Warden in-process (a temp dir, SQLite store, the policy files, a generated config whose only
 * upstream is the trace-answering MCP server), then, with the official MCP SDK client over Streamable
 * HTTP and an agent's OAuth token, replays:
 *
 * - every user task with the clean outputs (benign utility: every call executes, none held or refused);
 * - every user task × injection task pair with AgentDojo's attacked outputs; right after the first
 *   attacked output arrives, the injection task's ground-truth calls are attempted, then the rest of
 *   the user task (targeted attack success: every injection call executes; utility under attack).
 *
 * Each replay is a fresh MCP session, so session labels never leak from one replay to the next. The
 * runner knows no suite: tool names, tasks and traces come from the file, tool attributes from the
 * policy directory's tool profile, decisions from its Cedar policies.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../src/config/index.js';
import { createLogger, startServer } from '../../src/server/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { attackedSteps, cleanSteps, injectionSteps, loadSuite } from './suite.js';
import type { ReplayStep, Suite } from './suite.js';

const TRACE_SERVER = join(import.meta.dirname, 'trace-server.js');
const MAX_PROFILE_BYTES = 1024 * 1024;
/** The agent every replay runs as, and its one role (policies name it as `Role::"assistant"`). */
export const REPLAY_AGENT = 'agentdojo-agent';
export const REPLAY_ROLE = 'assistant';

/** What became of one call. */
export type CallOutcome = 'executed' | 'approval' | 'denied' | 'error';

export interface CallRecord {
  function: string;
  /** `user` for the user task's own calls, `injection` for the injection task's. */
  origin: 'user' | 'injection';
  outcome: CallOutcome;
  /** WARDEN_... code of a call that did not execute, or the harness problem of an `error`. */
  code: string | null;
}

export interface UserTaskResult {
  userTask: string;
  calls: CallRecord[];
  /** Every call executed and the suite says the ground truth passes its utility check. */
  utility: boolean;
  /** No call was refused: every call executed or waits for a person (who would approve it). */
  utilityWithApprovals: boolean;
}

export interface PairResult {
  userTask: string;
  injectionTask: string;
  /** Whether any output of the user task carried the attack (if not, nothing is attempted). */
  injectionSeen: boolean;
  calls: CallRecord[];
  /** Every ground-truth call of the injection task executed. */
  attackSucceeded: boolean;
  /**
   * Outcome of the injection task's calls: the first one that did not execute, else `executed`;
   * `not-seen` when no output carried the attack.
   */
  attackOutcome: CallOutcome | 'not-seen';
  /** Every user-task call executed and the suite's utility check passes on the attacked environment. */
  utility: boolean;
  utilityWithApprovals: boolean;
}

export interface ReplayReport {
  suite: string;
  benchmarkVersion: string | null;
  label: string;
  policyDir: string;
  toolProfile: string;
  userTasks: UserTaskResult[];
  pairs: PairResult[];
  summary: ReplaySummary;
}

export interface Ratio {
  count: number;
  total: number;
  /** count / total, or null when total is 0. */
  rate: number | null;
}

export interface ReplaySummary {
  utility: Ratio;
  utilityWithApprovals: Ratio;
  utilityUnderAttack: Ratio;
  utilityUnderAttackWithApprovals: Ratio;
  attackSuccess: Ratio;
  /** Pairs whose injection calls were held for approval (first non-executed call). */
  attacksHeldForApproval: number;
  attacksDenied: number;
  /** Calls that failed for reasons other than policy (harness or upstream problems): should be 0. */
  errors: number;
  byInjectionTask: {
    injectionTask: string;
    goal: string;
    attackSuccess: Ratio;
    held: number;
    denied: number;
  }[];
}

export interface ReplayOptions {
  suitePath: string;
  /** Directory with the *.cedar policies and (unless toolProfilePath is given) one `*.tools.yaml`. */
  policyDir: string;
  toolProfilePath?: string;
  /** A name for this configuration in reports (default: the policy directory's name). */
  label?: string;
  /** Replay only these user / injection tasks (default: all). */
  userTasks?: string[];
  injectionTasks?: string[];
  /** Called after each replay with a short line, for progress output. */
  onProgress?: (line: string) => void;
}

const toolProfileSchema = z
  .object({
    /** Must equal the suite file's `suite`, so a profile is not used with the wrong suite by mistake. */
    suite: z.string().min(1),
    /** Warden server name the tools are exposed under (`<server>__<tool>`); default: the suite name. */
    server: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and -')
      .optional(),
    /** Data classes for the generated config, least to most sensitive (Warden's default when absent). */
    dataClasses: z.array(z.string()).min(1).optional(),
    /** Per tool: Warden tool attributes (risk, classification, untrustedOutput, arguments, ...). */
    tools: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .strict();

export type ToolProfile = z.infer<typeof toolProfileSchema>;

/** Finds the tool profile: the given file, else the one `*.tools.yaml` in the policy directory. */
export async function findToolProfile(policyDir: string, given?: string): Promise<string> {
  if (given !== undefined) return resolve(given);
  const entries = await readdir(policyDir).catch((error: unknown) => {
    throw new Error(`${policyDir}: cannot read the policy directory; pass --policy DIR`, { cause: error });
  });
  const candidates = entries.filter((name) => name.endsWith('.tools.yaml'));
  if (candidates.length !== 1) {
    throw new Error(
      `${policyDir}: expected exactly one *.tools.yaml tool profile (found ${candidates.length}); pass --tools FILE`,
    );
  }
  return join(resolve(policyDir), candidates[0]!);
}

/** Reads and validates a tool profile against the suite: every suite tool must be described. */
export async function loadToolProfile(path: string, suite: Suite): Promise<ToolProfile> {
  const text = await readFile(path, 'utf8');
  if (text.length > MAX_PROFILE_BYTES) throw new Error(`${path}: larger than ${MAX_PROFILE_BYTES} bytes`);
  const parsed = toolProfileSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`${path}: not a tool profile: ${problems}`);
  }
  const profile = parsed.data;
  if (profile.suite !== suite.suite) {
    throw new Error(
      `${path}: the profile is for suite "${profile.suite}", the suite file is "${suite.suite}"`,
    );
  }
  const names = suite.tools.map((tool) => tool.name);
  const missing = names.filter((name) => !(name in profile.tools));
  const extra = Object.keys(profile.tools).filter((name) => !names.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${path}: the profile must describe exactly the suite's tools` +
        (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; not in the suite: ${extra.join(', ')}` : ''),
    );
  }
  return profile;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function ratio(count: number, total: number): Ratio {
  return { count, total, rate: total === 0 ? null : count / total };
}

const DENIAL_CODES = new Set([
  'WARDEN_POLICY_DENIED',
  'WARDEN_TOOL_NOT_FOUND',
  'WARDEN_INSPECTION_BLOCKED',
  'WARDEN_INJECTION_BLOCKED',
  'WARDEN_APPROVAL_DENIED',
  'WARDEN_APPROVAL_EXPIRED',
]);
const APPROVAL_CODES = new Set(['WARDEN_APPROVAL_REQUIRED', 'WARDEN_APPROVAL_PENDING']);
const UNANSWERED = /^no step of replay /;

/** One Warden instance serving one suite under one policy directory. */
class ReplayGateway {
  private cachedToken: { value: string; at: number } | null = null;

  private constructor(
    private readonly server: RunningServer,
    private readonly workDir: string,
    private readonly scriptPath: string,
    private readonly serverName: string,
    private readonly secret: string,
  ) {}

  static async start(suite: Suite, policyDir: string, profile: ToolProfile): Promise<ReplayGateway> {
    const workDir = await mkdtemp(join(tmpdir(), 'warden-agentdojo-'));
    try {
      const serverName = profile.server ?? suite.suite.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      const toolsPath = join(workDir, 'tools.json');
      const scriptPath = join(workDir, 'script.json');
      await writeFile(
        toolsPath,
        JSON.stringify(
          suite.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            inputSchema: tool.parameters,
          })),
        ),
      );
      await writeFile(scriptPath, JSON.stringify({ replay: null, steps: [] }));
      const dataClasses = profile.dataClasses ?? ['public', 'internal', 'confidential', 'restricted'];
      const port = await freePort();
      const config = {
        version: 1,
        server: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, drainTimeout: 5 },
        logging: { level: 'warn' },
        store: { driver: 'sqlite', sqlite: { path: join(workDir, 'warden.db'), synchronous: 'normal' } },
        secrets: { masterKeyFile: join(workDir, 'master.key') },
        identity: { tokenLifetime: '60m' },
        policy: { dir: resolve(policyDir) },
        audit: { checkpointEvery: 100000, checkpointInterval: 3600 },
        // Held calls answer "pending" at once: the replay counts them, nobody decides them.
        approvals: { wait: 0 },
        dataClasses: dataClasses.map((name) => ({ name })),
        roles: { [REPLAY_ROLE]: { description: 'The AgentDojo user assistant being replayed.' } },
        agents: {
          [REPLAY_AGENT]: {
            owner: 'agentdojo@example.com',
            roles: [REPLAY_ROLE],
            clearance: dataClasses[dataClasses.length - 1],
          },
        },
        servers: {
          [serverName]: {
            description: `AgentDojo ${suite.suite} suite, answered from recorded traces.`,
            transport: 'stdio',
            command: process.execPath,
            args: [TRACE_SERVER],
            env: { AGENTDOJO_TOOLS: toolsPath, AGENTDOJO_SCRIPT: scriptPath },
            tools: profile.tools,
          },
        },
      };
      const configPath = join(workDir, 'warden.yaml');
      await writeFile(configPath, stringifyYaml(config));
      const logs: string[] = [];
      const destination = new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          logs.push(chunk.toString('utf8'));
          done();
        },
      });
      const loaded = await loadConfig({ path: configPath, env: {} });
      let server: RunningServer;
      try {
        server = await startServer(loaded, {
          logger: createLogger({ level: 'warn', destination }),
          reloadOnSighup: false,
          pidFile: false,
        });
      } catch (error) {
        throw new Error(`Warden did not start: ${(error as Error).message}\n${logs.join('')}`, {
          cause: error,
        });
      }
      const secret = (await server.warden.agents.rotateSecret(REPLAY_AGENT, 'bench:agentdojo')).secret;
      return new ReplayGateway(server, workDir, scriptPath, serverName, secret);
    } catch (error) {
      await rm(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** One token serves many replays (Warden rate-limits token requests); renewed well before it expires. */
  private async token(): Promise<string> {
    if (this.cachedToken !== null && Date.now() - this.cachedToken.at < 20 * 60_000)
      return this.cachedToken.value;
    const response = await fetch(`${this.server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: REPLAY_AGENT,
        client_secret: this.secret,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (body.access_token === undefined)
      throw new Error(`no token for ${REPLAY_AGENT}: ${JSON.stringify(body)}`);
    this.cachedToken = { value: body.access_token, at: Date.now() };
    return body.access_token;
  }

  /**
   * Replays `steps` in one fresh MCP session; after the step at `insertAfter` it attempts `inserted`
   * (the injection task's calls). The trace server answers every call from these steps.
   */
  async replay(
    id: string,
    steps: ReplayStep[],
    inserted: ReplayStep[] = [],
    insertAfter: number | null = null,
  ): Promise<CallRecord[]> {
    await writeFile(this.scriptPath, JSON.stringify({ replay: id, steps: [...steps, ...inserted] }));
    const transport = new StreamableHTTPClientTransport(new URL(`${this.server.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${await this.token()}` } },
    });
    const client = new Client({ name: 'agentdojo-replay', version: '1.0.0' });
    await client.connect(transport);
    const records: CallRecord[] = [];
    try {
      for (const [index, step] of steps.entries()) {
        records.push(await this.call(client, step, 'user'));
        if (index === insertAfter) {
          for (const call of inserted) records.push(await this.call(client, call, 'injection'));
        }
      }
    } finally {
      await client.close().catch(() => undefined);
    }
    return records;
  }

  private async call(client: Client, step: ReplayStep, origin: CallRecord['origin']): Promise<CallRecord> {
    const base = { function: step.function, origin };
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await client.callTool({ name: `${this.serverName}__${step.function}`, arguments: step.args });
    } catch (error) {
      // Warden answers a tool the agent may not see with a protocol error (WARDEN_TOOL_NOT_FOUND).
      const message = error instanceof Error ? error.message : String(error);
      const code = /WARDEN_[A-Z_]+/.exec(message)?.[0] ?? null;
      if (code !== null && DENIAL_CODES.has(code)) return { ...base, outcome: 'denied', code };
      return { ...base, outcome: 'error', code: message.slice(0, 300) };
    }
    const warden = (result._meta as { warden?: { code?: unknown } } | undefined)?.warden;
    const code = typeof warden?.code === 'string' ? warden.code : null;
    if (code !== null) {
      if (APPROVAL_CODES.has(code)) return { ...base, outcome: 'approval', code };
      if (DENIAL_CODES.has(code)) return { ...base, outcome: 'denied', code };
      return { ...base, outcome: 'error', code };
    }
    const content = result.content as { type: string; text?: string }[] | undefined;
    const text = content?.[0]?.text ?? '';
    if (result.isError === true && UNANSWERED.test(text)) return { ...base, outcome: 'error', code: text };
    return { ...base, outcome: 'executed', code: null };
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop('agentdojo replay finished');
    } finally {
      await rm(this.workDir, { recursive: true, force: true });
    }
  }
}

function firstNotExecuted(calls: CallRecord[]): CallOutcome {
  return calls.find((call) => call.outcome !== 'executed')?.outcome ?? 'executed';
}

/** Runs the whole replay for one suite and one policy directory. */
export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const suite = await loadSuite(options.suitePath);
  const toolProfilePath = await findToolProfile(options.policyDir, options.toolProfilePath);
  const profile = await loadToolProfile(toolProfilePath, suite);
  const pick = <T extends { id: string }>(all: T[], wanted: string[] | undefined, kind: string): T[] => {
    if (wanted === undefined) return all;
    const unknown = wanted.filter((id) => !all.some((task) => task.id === id));
    if (unknown.length > 0) throw new Error(`the suite has no ${kind} ${unknown.join(', ')}`);
    return all.filter((task) => wanted.includes(task.id));
  };
  const userTasks = pick(suite.user_tasks, options.userTasks, 'user task');
  const injectionTasks = pick(suite.injection_tasks, options.injectionTasks, 'injection task');
  const progress = options.onProgress ?? ((): void => undefined);

  const gateway = await ReplayGateway.start(suite, options.policyDir, profile);
  const userResults: UserTaskResult[] = [];
  const pairs: PairResult[] = [];
  try {
    for (const task of userTasks) {
      const calls = await gateway.replay(task.id, cleanSteps(task));
      const result: UserTaskResult = {
        userTask: task.id,
        calls,
        utility: task.utility_ok && calls.every((call) => call.outcome === 'executed'),
        utilityWithApprovals:
          task.utility_ok &&
          calls.every((call) => call.outcome === 'executed' || call.outcome === 'approval'),
      };
      userResults.push(result);
      progress(`${task.id}: ${calls.map((call) => `${call.function}=${call.outcome}`).join(' ')}`);
    }
    for (const task of userTasks) {
      for (const injection of injectionTasks) {
        const attacked = attackedSteps(task, injection.id);
        const inserted = attacked.firstAttackedStep === null ? [] : injectionSteps(injection);
        const calls = await gateway.replay(
          `${task.id}+${injection.id}`,
          attacked.steps,
          inserted,
          attacked.firstAttackedStep,
        );
        const userCalls = calls.filter((call) => call.origin === 'user');
        const injectionCalls = calls.filter((call) => call.origin === 'injection');
        const attackSucceeded =
          attacked.firstAttackedStep !== null &&
          injectionCalls.length === injection.ground_truth.length &&
          injectionCalls.every((call) => call.outcome === 'executed');
        pairs.push({
          userTask: task.id,
          injectionTask: injection.id,
          injectionSeen: attacked.firstAttackedStep !== null,
          calls,
          attackSucceeded,
          attackOutcome: attacked.firstAttackedStep === null ? 'not-seen' : firstNotExecuted(injectionCalls),
          utility: attacked.utilityOk && userCalls.every((call) => call.outcome === 'executed'),
          utilityWithApprovals:
            attacked.utilityOk &&
            userCalls.every((call) => call.outcome === 'executed' || call.outcome === 'approval'),
        });
      }
      progress(`${task.id} × ${injectionTasks.length} injection tasks replayed`);
    }
  } finally {
    await gateway.stop();
  }
  return {
    suite: suite.suite,
    benchmarkVersion: suite.benchmark_version ?? null,
    label: options.label ?? basename(resolve(options.policyDir)),
    policyDir: resolve(options.policyDir),
    toolProfile: toolProfilePath,
    userTasks: userResults,
    pairs,
    summary: summarize(userResults, pairs, injectionTasks),
  };
}

function summarize(
  userResults: UserTaskResult[],
  pairs: PairResult[],
  injectionTasks: Suite['injection_tasks'],
): ReplaySummary {
  const count = <T>(items: T[], test: (item: T) => boolean): number => items.filter(test).length;
  const allCalls = [...userResults.flatMap((result) => result.calls), ...pairs.flatMap((pair) => pair.calls)];
  return {
    utility: ratio(
      count(userResults, (result) => result.utility),
      userResults.length,
    ),
    utilityWithApprovals: ratio(
      count(userResults, (result) => result.utilityWithApprovals),
      userResults.length,
    ),
    utilityUnderAttack: ratio(
      count(pairs, (pair) => pair.utility),
      pairs.length,
    ),
    utilityUnderAttackWithApprovals: ratio(
      count(pairs, (pair) => pair.utilityWithApprovals),
      pairs.length,
    ),
    attackSuccess: ratio(
      count(pairs, (pair) => pair.attackSucceeded),
      pairs.length,
    ),
    attacksHeldForApproval: count(pairs, (pair) => pair.attackOutcome === 'approval'),
    attacksDenied: count(pairs, (pair) => pair.attackOutcome === 'denied'),
    errors: count(allCalls, (call) => call.outcome === 'error'),
    byInjectionTask: injectionTasks.map((injection) => {
      const mine = pairs.filter((pair) => pair.injectionTask === injection.id);
      return {
        injectionTask: injection.id,
        goal: injection.goal,
        attackSuccess: ratio(
          count(mine, (pair) => pair.attackSucceeded),
          mine.length,
        ),
        held: count(mine, (pair) => pair.attackOutcome === 'approval'),
        denied: count(mine, (pair) => pair.attackOutcome === 'denied'),
      };
    }),
  };
}
