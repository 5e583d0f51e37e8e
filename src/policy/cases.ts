/**
 * Policy unit cases (`warden policy test CASES.yaml`): each case names an agent, a tool and its
 * arguments (or a model alias, decided exactly as the LLM egress proxy decides a model call), and
 * the expected decision. The file is validated strictly, with line numbers, before anything runs, so
 * a typo in an agent, tool or model name is an error rather than a silently passing deny.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { z } from 'zod';
import { RISKS } from '../config/index.js';
import type { WardenConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import type { JsonObject } from '../core/index.js';
import { exposedToolName } from './schema.js';
import type { PolicyService } from './service.js';
import { FINDING_TYPES } from '../inspect/types.js';
import type { FindingType } from '../inspect/types.js';
import type {
  AuthorizationRequest,
  Decision,
  PolicyAgent,
  PolicyFindings,
  PolicySessionLabels,
} from './types.js';

/** Largest cases file read. */
export const MAX_CASES_BYTES = 4 * 1024 * 1024;

const contextSchema = z
  .object({
    hour: z.number().int().min(0).max(23).optional(),
    weekday: z.number().int().min(0, '0 is Sunday').max(6, '6 is Saturday').optional(),
    callCount: z.number().int().min(0).optional(),
    toolCallCount: z.number().int().min(0).optional(),
    clientIp: z.string().min(1).optional(),
    /** What content inspection found in the arguments: a count per finding type, e.g. `{ vn_cccd: 1 }`. */
    findings: z.record(z.string(), z.number().int().min(1)).optional(),
    /** The injection score (0..1) of the arguments. */
    injectionScore: z.number().min(0).max(1).optional(),
    /** The session's labels before the call (`context.session`); unset fields are a fresh session's. */
    session: z
      .object({
        untrusted: z.boolean().optional(),
        /** A data class name. */
        maxClassification: z.string().min(1).optional(),
        labels: z.array(z.string().min(1).max(200)).max(100).optional(),
        riskCounts: z.partialRecord(z.enum(RISKS), z.number().int().min(0)).optional(),
        bytesRead: z.number().int().min(0).optional(),
        task: z.string().max(128).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const inlineAgentSchema = z
  .object({
    name: z.string().min(1),
    roles: z.array(z.string().min(1)).default([]),
    clearance: z.string().min(1),
    owner: z.string().default('policy-test@example.com'),
  })
  .strict();

const caseSchema = z
  .object({
    name: z.string().min(1).optional(),
    /** A config agent's name, or an agent written out. */
    agent: z.union([z.string().min(1), inlineAgentSchema]),
    /** Exposed tool name, `<server>__<tool>` (or `model`). */
    tool: z.string().min(1).optional(),
    /** A model alias (`llm.models.<alias>`), instead of a tool: the case is a model call. */
    model: z.string().min(1).optional(),
    args: z.record(z.string(), z.json()).optional(),
    context: contextSchema.optional(),
    expect: z.enum(['allow', 'deny', 'approval_required']),
    /** The ids of the policies expected to determine the decision (exactly these, in any order). */
    policies: z.array(z.string().min(1)).optional(),
  })
  .strict();

const casesFileSchema = z
  .object({
    /** Context values for every case that does not set its own. */
    defaults: contextSchema.optional(),
    cases: z.array(caseSchema).min(1, 'give at least one case'),
  })
  .strict();

export type PolicyCaseContext = z.output<typeof contextSchema>;

/** One case, validated against the configuration. */
export interface PolicyCase {
  name: string;
  /** 1-based line of the case in the file. */
  line: number;
  agent: PolicyAgent;
  /** The exposed tool name, or null for a model case. */
  tool: string | null;
  /** The model alias of a model case, or null for a tool case. */
  model: string | null;
  args: JsonObject;
  context: PolicyCaseContext;
  expect: Decision['kind'];
  policies: string[] | null;
}

/** The outcome of one case. */
export interface PolicyCaseResult {
  case: PolicyCase;
  passed: boolean;
  decision: Decision;
  /** Why it failed, empty when it passed. */
  problems: string[];
}

/**
 * Parses a cases file: a YAML list of cases, or `{ defaults?: {...context}, cases: [...] }`. Agents,
 * tools and model aliases must exist in `config` (inline agents need a known clearance). A model case
 * (`model:` instead of `tool:`) takes no `args`, and its context no session or call counts.
 *
 * @throws WardenError WARDEN_POLICY_CASES_INVALID listing `file:line  problem` for each problem.
 */
export function parsePolicyCases(text: string, file: string, config: WardenConfig): PolicyCase[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  if (document.errors.length > 0) {
    throw invalidCases(
      file,
      document.errors.map((error) => ({ line: lineOf(error.pos[0]), message: `YAML: ${error.message}` })),
    );
  }
  const root = document.contents;
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw invalidCases(file, [
      { line: 1, message: `YAML: ${error instanceof Error ? error.message : String(error)}` },
    ]);
  }
  // A bare list is the cases; paths below are always relative to `{ cases: [...] }`.
  const isList = Array.isArray(raw);
  if (isList) raw = { cases: raw };
  const lineAt = (path: readonly PropertyKey[]): number => {
    const documentPath = (isList ? path.slice(1) : path).filter(
      (key): key is string | number => typeof key === 'string' || typeof key === 'number',
    );
    for (let length = documentPath.length; length > 0; length -= 1) {
      const node = document.getIn(documentPath.slice(0, length), true) as Node | undefined;
      if (node?.range) return lineOf(node.range[0]);
    }
    return root?.range ? lineOf(root.range[0]) : 1;
  };
  const parsed = casesFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalidCases(
      file,
      parsed.error.issues.map((issue) => ({
        line: lineAt(
          issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path,
        ),
        message: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
      })),
    );
  }
  const tools = new Set(
    Object.entries(config.servers).flatMap(([server, spec]) =>
      Object.keys(spec.tools).map((tool) => exposedToolName(server, tool)),
    ),
  );
  const classes = new Set(config.dataClasses.map((dataClass) => dataClass.name));
  const problems: { line: number; message: string }[] = [];
  const cases: PolicyCase[] = [];
  parsed.data.cases.forEach((entry, index) => {
    const line = lineAt(['cases', index]);
    let agent: PolicyAgent | null = null;
    if (typeof entry.agent === 'string') {
      const configured = config.agents[entry.agent];
      if (configured === undefined) {
        problems.push({
          line: lineAt(['cases', index, 'agent']),
          message: `cases.${index}.agent: no agent "${entry.agent}" in the configuration (agents: ${Object.keys(config.agents).join(', ') || 'none'}); write the agent out as { name, roles, clearance } to test one that is not configured`,
        });
      } else {
        agent = {
          id: entry.agent,
          name: entry.agent,
          roles: configured.roles,
          clearance: configured.clearance,
          owner: configured.owner,
        };
      }
    } else if (!classes.has(entry.agent.clearance)) {
      problems.push({
        line: lineAt(['cases', index, 'agent', 'clearance']),
        message: `cases.${index}.agent.clearance: "${entry.agent.clearance}" is not a data class (defined: ${[...classes].join(', ')})`,
      });
    } else {
      agent = { id: entry.agent.name, ...entry.agent };
    }
    const models = Object.keys(config.llm?.models ?? {});
    if ((entry.tool === undefined) === (entry.model === undefined)) {
      problems.push({
        line,
        message: `cases.${index}: give either tool (<server>__<tool>) or model (an llm.models alias), not ${entry.tool === undefined ? 'neither' : 'both'}`,
      });
    } else if (entry.tool !== undefined && !tools.has(entry.tool)) {
      problems.push({
        line: lineAt(['cases', index, 'tool']),
        message: `cases.${index}.tool: "${entry.tool}" is not a declared tool; write <server>__<tool>, e.g. ${[...tools][0] ?? 'crm__read_customer'}`,
      });
    } else if (entry.model !== undefined) {
      if (!models.includes(entry.model)) {
        problems.push({
          line: lineAt(['cases', index, 'model']),
          message: `cases.${index}.model: "${entry.model}" is not a model alias in llm.models (aliases: ${models.join(', ') || 'none'})`,
        });
      }
      if (entry.args !== undefined) {
        problems.push({
          line: lineAt(['cases', index, 'args']),
          message: `cases.${index}.args: a model case has no arguments; put what the messages carry in context.findings`,
        });
      }
      for (const field of ['callCount', 'toolCallCount', 'session'] as const) {
        if (entry.context?.[field] !== undefined) {
          problems.push({
            line: lineAt(['cases', index, 'context', field]),
            message: `cases.${index}.context.${field}: model calls have no session context; a model case may set hour, weekday, clientIp, findings and injectionScore`,
          });
        }
      }
    }
    for (const type of Object.keys(entry.context?.findings ?? {})) {
      if (!Object.hasOwn(FINDING_TYPES, type)) {
        problems.push({
          line: lineAt(['cases', index, 'context', 'findings', type]),
          message: `cases.${index}.context.findings: "${type}" is not a finding type (types: ${Object.keys(FINDING_TYPES).join(', ')})`,
        });
      }
    }
    const maxClassification = entry.context?.session?.maxClassification;
    if (maxClassification !== undefined && !classes.has(maxClassification)) {
      problems.push({
        line: lineAt(['cases', index, 'context', 'session', 'maxClassification']),
        message: `cases.${index}.context.session.maxClassification: "${maxClassification}" is not a data class (defined: ${[...classes].join(', ')})`,
      });
    }
    if (agent === null) return;
    cases.push({
      name:
        entry.name ??
        (entry.model === undefined
          ? `${agent.name} calls ${entry.tool}`
          : `${agent.name} uses model ${entry.model}`),
      line,
      agent,
      tool: entry.tool ?? null,
      model: entry.model ?? null,
      args: entry.args ?? {},
      context: { ...parsed.data.defaults, ...entry.context },
      expect: entry.expect,
      policies: entry.policies ?? null,
    });
  });
  if (problems.length > 0) throw invalidCases(file, problems);
  return cases;
}

/**
 * Runs cases against a policy service. A case passes when the decision kind is the expected one
 * and, when `policies` is given, exactly those policies determined it.
 */
export function runPolicyCases(service: PolicyService, cases: readonly PolicyCase[]): PolicyCaseResult[] {
  return cases.map((testCase) => {
    const decision = testCase.model === null ? decideTool(service, testCase) : decideModel(service, testCase);
    const problems: string[] = [];
    if (decision.kind !== testCase.expect) problems.push(`expected ${testCase.expect}, got ${decision.kind}`);
    if (testCase.policies !== null) {
      const expected = [...testCase.policies].sort();
      const actual = decision.policies.map((policy) => policy.id).sort();
      if (expected.join('\n') !== actual.join('\n')) {
        problems.push(
          `expected the policies [${expected.join(', ')}] to determine it, got [${actual.join(', ')}]`,
        );
      }
    }
    return { case: testCase, passed: problems.length === 0, decision, problems };
  });
}

/** A model case, decided by the same code as the LLM egress proxy's model calls. */
function decideModel(service: PolicyService, testCase: PolicyCase): Decision {
  const { context } = testCase;
  return service.decideModel({
    agent: testCase.agent,
    alias: testCase.model as string,
    time: service.clock.now(),
    clientIp: context.clientIp ?? null,
    ...(context.findings === undefined && context.injectionScore === undefined
      ? {}
      : { findings: caseFindings(service.config, context) }),
    overrides: {
      ...(context.hour === undefined ? {} : { hour: context.hour }),
      ...(context.weekday === undefined ? {} : { weekday: context.weekday }),
    },
  });
}

/** A tool case, decided as `warden policy explain` decides it. */
function decideTool(service: PolicyService, testCase: PolicyCase): Decision {
  const tool = testCase.tool as string;
  const separator = tool.indexOf('__');
  const server = tool.slice(0, separator);
  const spec = service.config.servers[server]?.tools[tool.slice(separator + 2)];
  const request: AuthorizationRequest = {
    agent: testCase.agent,
    tool: {
      name: tool,
      server,
      tool: tool.slice(separator + 2),
      risk: spec?.risk ?? 'read',
      classification: spec?.classification ?? null,
      untrustedOutput: spec?.untrustedOutput ?? false,
    },
    arguments: testCase.args,
    time: service.clock.now(),
    clientIp: testCase.context.clientIp ?? null,
    session: {
      id: null,
      callCount: testCase.context.callCount ?? 0,
      toolCallCount: testCase.context.toolCallCount ?? 0,
      ...(testCase.context.session === undefined ? {} : { labels: caseSessionLabels(testCase.context) }),
    },
    ...(testCase.context.findings === undefined && testCase.context.injectionScore === undefined
      ? {}
      : { findings: caseFindings(service.config, testCase.context) }),
  };
  return service.explain(request, {
    ...(testCase.context.hour === undefined ? {} : { hour: testCase.context.hour }),
    ...(testCase.context.weekday === undefined ? {} : { weekday: testCase.context.weekday }),
  }).decision;
}

function invalidCases(file: string, problems: { line: number; message: string }[]): WardenError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  return new WardenError(
    'WARDEN_POLICY_CASES_INVALID',
    `The policy cases file has ${sorted.length === 1 ? '1 problem' : `${sorted.length} problems`}; fix them and run again:\n${sorted
      .map((problem) => `${file}:${problem.line}  ${problem.message}`)
      .join('\n')}`,
    { file, issues: sorted },
  );
}

/** `context.session` labels for a case: what it sets, a fresh session's values for the rest. */
function caseSessionLabels(context: PolicyCaseContext): PolicySessionLabels {
  const session = context.session ?? {};
  return {
    untrusted: session.untrusted ?? false,
    maxClassification: session.maxClassification ?? null,
    labels: session.labels ?? [],
    riskCounts: session.riskCounts ?? {},
    bytesRead: session.bytesRead ?? 0,
    task: session.task ?? null,
  };
}

/** `context.findings` for a case: the counts it gives, with data classes as content inspection assigns them. */
function caseFindings(config: WardenConfig, context: PolicyCaseContext): PolicyFindings {
  const counts = context.findings ?? {};
  const ranks = new Map(config.dataClasses.map((dataClass, index) => [dataClass.name, index]));
  const classes = new Set<string>();
  let pii = 0;
  let secrets = 0;
  for (const [type, count] of Object.entries(counts)) {
    const known = Object.hasOwn(FINDING_TYPES, type) ? FINDING_TYPES[type as FindingType] : undefined;
    if (known === undefined || known.category === 'injection') continue;
    if (known.category === 'pii') pii += count;
    if (known.category === 'secret') secrets += count;
    // As content inspection does: a class that is not configured counts as the most sensitive one.
    const dataClass = Object.hasOwn(config.inspection.types, type)
      ? config.inspection.types[type]
      : known.dataClass;
    classes.add(
      dataClass !== undefined && ranks.has(dataClass)
        ? dataClass
        : (config.dataClasses.at(-1)?.name ?? dataClass ?? ''),
    );
  }
  const sorted = [...classes].sort((a, b) => (ranks.get(a) ?? 0) - (ranks.get(b) ?? 0));
  return {
    counts,
    classes: sorted,
    maxClass: sorted.at(-1) ?? null,
    pii,
    secrets,
    injectionScore: context.injectionScore ?? 0,
  };
}
