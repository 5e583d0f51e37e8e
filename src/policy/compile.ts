/**
 * Policy compilation: parse every statement of every file, read its annotations, validate the whole
 * set against the generated schema, and report every problem at once as `file:line:col  message`.
 * Nothing here evaluates a request; a set that compiles is safe to preparse and serve.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type {
  DetailedError,
  NamespaceDefinition,
  PolicyJson,
  SchemaJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import { NAME_PATTERN, WardenError, parseDurationSeconds } from '../core/index.js';
import { analyzePolicy, matchActionScope, referencedActions } from './analyze.js';
import type { PolicyNeeds, ScopeMatch } from './analyze.js';
import { actionScopeRange, byteOffsetToIndex, lineAndColumn, splitStatements } from './source.js';
import { isModelAction } from './schema.js';
import type { PolicySourceFile } from './source.js';

/** One policy as loaded: its id, effect, annotations, where it is, and its action scope. */
export interface CompiledPolicy {
  /** `@id("...")` when given, else `<file>:<line>`. */
  id: string;
  effect: 'permit' | 'forbid';
  /** `@reason("...")`, or null. */
  reason: string | null;
  /** `@approval("...")` message (on a permit, or on a forbid: a hold), or null. */
  approval: string | null;
  /**
   * A `forbid` with `@approval`: a hold. It never grants and never denies by itself; when the other
   * policies allow a call (or send it for approval) and a hold matches, the call needs approval.
   */
  hold: boolean;
  /**
   * With `@approval`: `@approvals("2")` (people needed), `@approvalExpiry("30m")`, `@interactive`
   * (the agent's client may ask its user) and `@approvers("finance,security")` (groups who decide).
   */
  approvalSettings: ApprovalSettings | null;
  /** File name relative to the policy directory. */
  file: string;
  line: number;
  column: number;
  /** The statement's text as written. */
  text: string;
  /**
   * The text with its action scope replaced by `action`: what is preparsed for a tool its scope
   * always matches (no action entity needed then). Null when the scope could not be located.
   */
  unscopedText: string | null;
  /** Cedar's JSON form of the policy (scope, conditions, annotations). */
  json: PolicyJson;
  /** What evaluating it can read. */
  needs: PolicyNeeds;
  /** Action ids it names anywhere (scope or condition). */
  actions: string[];
}

/** What an `@approval` policy asks of the approval it requires. */
export interface ApprovalSettings {
  required: number;
  expirySeconds: number | null;
  interactive: boolean;
  groups: string[];
}

/** Most approvals a policy may require. */
export const MAX_REQUIRED_APPROVALS = 10;

/** A problem found while loading, with its place in the file when known. */
export interface PolicyIssue {
  /** File as shown to people (relative to the working directory when inside it). */
  file: string;
  line: number | null;
  column: number | null;
  message: string;
}

export interface CompileResult {
  policies: CompiledPolicy[];
  /** Validator warnings (e.g. a policy that can never apply), with places; they do not stop loading. */
  warnings: PolicyIssue[];
  /** For each tool action of the schema, the policies whose action scope can match it, in file order. */
  memberships: Map<string, Membership[]>;
}

/** Text of the default `@approval` message when the annotation has no value. */
const DEFAULT_APPROVAL = 'a person must approve this call';
const MAX_ID_LENGTH = 128;

/** Formats issues one per line as `file:line:col  message`. */
export function formatIssues(issues: readonly PolicyIssue[]): string {
  return issues
    .map((issue) =>
      issue.line === null
        ? `${issue.file}  ${issue.message}`
        : `${issue.file}:${issue.line}:${issue.column ?? 1}  ${issue.message}`,
    )
    .join('\n');
}

/** Yields to the event loop every few milliseconds, so a long load does not stall request handling. */
export class TimeSlicer {
  #sliceStart = performance.now();
  constructor(private readonly sliceMilliseconds = 8) {}
  async tick(): Promise<void> {
    if (performance.now() - this.#sliceStart < this.sliceMilliseconds) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#sliceStart = performance.now();
  }
}

/** One policy that can apply to a tool, and whether its action scope always matches that tool. */
export interface Membership {
  policy: CompiledPolicy;
  match: ScopeMatch;
}

/** A tool action of the schema: its id and action groups. */
interface SchemaTool {
  id: string;
  groups: Set<string>;
}

/**
 * Parses the policy files and validates them against `schema`. Each policy is validated for the
 * tools its action scope can match, against a schema reduced to that tool's action (Cedar's
 * validation cost grows with policies × actions); policies that match no tool are validated against
 * the whole schema, which reports them. Errors are the union over tools; a warning is kept only
 * when every tool the policy applies to gives it.
 *
 * @returns the policies, the validator's warnings, and for each tool action the policies that can
 *   apply to it.
 * @throws WardenError WARDEN_POLICY_INVALID listing every problem (`details.issues`), one per line
 *   in the message as `file:line:col  message`.
 */
export async function compilePolicies(
  files: readonly PolicySourceFile[],
  schema: SchemaJson<string>,
  slicer: TimeSlicer = new TimeSlicer(),
): Promise<CompileResult> {
  const issues: PolicyIssue[] = [];
  const policies: CompiledPolicy[] = [];
  /** Where each statement's text starts in its file, to map validation errors back. */
  const origins = new Map<string, { file: PolicySourceFile; start: number; text: string }>();
  const idPlaces = new Map<string, string>();

  for (const file of files) {
    const parsed = cedar.policySetTextToParts(file.text);
    if (parsed.type !== 'success') {
      for (const error of parsed.errors) issues.push(...issuesAt(file, 0, file.text, error));
      continue;
    }
    const statements = splitStatements(file.text);
    if (statements.length !== parsed.policies.length + parsed.policy_templates.length) {
      issues.push({
        file: file.display,
        line: null,
        column: null,
        message: `Warden split this file into ${statements.length} policies but Cedar found ${parsed.policies.length + parsed.policy_templates.length}; please report this file as a Warden bug`,
      });
      continue;
    }
    for (const statement of statements) {
      await slicer.tick();
      const text = file.text.slice(statement.start, statement.end);
      const place = lineAndColumn(file.text, statement.start);
      const json = cedar.policyToJson(text);
      if (json.type !== 'success') {
        for (const error of json.errors) issues.push(...issuesAt(file, statement.start, text, error));
        continue;
      }
      const policy = json.json;
      const annotations = policy.annotations ?? {};
      const issueHere = (message: string): void => {
        issues.push({ file: file.display, line: place.line, column: place.column, message });
      };
      let id = `${file.name}:${place.line}`;
      if ('id' in annotations) {
        const given = annotations.id;
        if (typeof given !== 'string' || given.trim() === '' || given !== given.trim()) {
          issueHere('@id needs a non-empty value without surrounding spaces, as in @id("support-reads-crm")');
          continue;
        }
        if (given.length > MAX_ID_LENGTH || /\p{Cc}/u.test(given)) {
          issueHere(`@id must be at most ${MAX_ID_LENGTH} characters with no control characters`);
          continue;
        }
        id = given;
      }
      const here = `${file.display}:${place.line}:${place.column}`;
      const previous = idPlaces.get(id);
      if (previous !== undefined) {
        issueHere(
          `duplicate policy id "${id}" (also at ${previous}); policy ids must be unique across all files`,
        );
        continue;
      }
      idPlaces.set(id, here);
      const reason = annotationText(annotations.reason);
      if ('reason' in annotations && reason === null) {
        issueHere('@reason needs a value, as in @reason("support may only read customer records")');
      }
      // `@approval` on a permit grants with approval; on a forbid it makes a hold (docs/policy.md#holds).
      const approval =
        'approval' in annotations ? (annotationText(annotations.approval) ?? DEFAULT_APPROVAL) : null;
      const approvalSettings = readApprovalSettings(annotations, approval !== null, issueHere);
      origins.set(id, { file, start: statement.start, text });
      const scope = actionScopeRange(text);
      policies.push({
        id,
        effect: policy.effect,
        reason,
        approval,
        hold: policy.effect === 'forbid' && approval !== null,
        approvalSettings,
        file: file.name,
        line: place.line,
        column: place.column,
        text,
        unscopedText: scope === null ? null : `${text.slice(0, scope.start)} action${text.slice(scope.end)}`,
        json: policy,
        needs: analyzePolicy(policy),
        actions: referencedActions(policy),
      });
    }
  }
  if (issues.length > 0) throw invalidPolicies(issues);

  const namespace = schema[''];
  const tools: SchemaTool[] = [];
  const groupActions: NamespaceDefinition<string>['actions'] = {};
  for (const [id, action] of Object.entries(namespace?.actions ?? {})) {
    if (action.appliesTo === undefined) groupActions[id] = action;
    else tools.push({ id, groups: new Set((action.memberOf ?? []).map((group) => group.id)) });
  }
  const memberships = new Map<string, Membership[]>();
  const partitionsOf = new Map<string, number>();
  /** Holds whose action scope can match model actions: an error, model calls are never held. */
  const heldModels = new Map<CompiledPolicy, string[]>();
  for (const tool of tools) {
    const members: Membership[] = [];
    for (const policy of policies) {
      // A policy with an unconstrained action (`action`) is about tools: model actions are decided
      // only by policies that name them (docs/llm-proxy.md), so tool guards keep validating.
      if (isModelAction(tool.id) && policy.json.action.op === 'All') continue;
      const match = matchActionScope(policy.json.action, tool.id, tool.groups);
      if (match === 'never') continue;
      if (policy.hold && isModelAction(tool.id)) {
        heldModels.set(policy, [...(heldModels.get(policy) ?? []), tool.id]);
        continue;
      }
      members.push({ policy, match });
      partitionsOf.set(policy.id, (partitionsOf.get(policy.id) ?? 0) + 1);
    }
    memberships.set(tool.id, members);
  }
  for (const [policy, actions] of heldModels) {
    const named = actions.slice(0, 3).map((id) => `Action::"${id}"`);
    issues.push({
      file: origins.get(policy.id)?.file.display ?? policy.file,
      line: policy.line,
      column: policy.column,
      message: `a forbid with @approval (a hold) can not apply to model actions (${named.join(', ')}${actions.length > 3 ? ', …' : ''}): model calls are never held for approval; scope the hold to tools, and deny model calls with a forbid without @approval`,
    });
  }

  const located = (policyId: string, error: DetailedError): PolicyIssue[] => {
    const origin = origins.get(policyId);
    if (origin === undefined)
      return [{ file: '(policies)', line: null, column: null, message: describe(error) }];
    return issuesAt(origin.file, origin.start, origin.text, error);
  };
  const errorKeys = new Set<string>();
  const warningCounts = new Map<string, { count: number; policyId: string; error: DetailedError }>();
  const validateAgainst = (reduced: SchemaJson<string>, members: readonly CompiledPolicy[]): void => {
    const answer = cedar.validate({
      schema: reduced,
      policies: { staticPolicies: Object.fromEntries(members.map((policy) => [policy.id, policy.text])) },
      validationSettings: { mode: 'strict' },
    });
    if (answer.type !== 'success') {
      for (const error of answer.errors) {
        const key = `(schema)\0${error.message}`;
        if (errorKeys.has(key)) continue;
        errorKeys.add(key);
        issues.push({ file: '(schema)', line: null, column: null, message: describe(error) });
      }
      return;
    }
    for (const { policyId, error } of answer.validationErrors) {
      const key = `${policyId}\0${error.message}\0${error.sourceLocations?.[0]?.start ?? ''}`;
      if (errorKeys.has(key)) continue;
      errorKeys.add(key);
      issues.push(...located(policyId, error));
    }
    for (const { policyId, error } of answer.validationWarnings) {
      const key = `${policyId}\0${error.message}\0${error.sourceLocations?.[0]?.start ?? ''}`;
      const seen = warningCounts.get(key);
      if (seen === undefined) warningCounts.set(key, { count: 1, policyId, error });
      else seen.count += 1;
    }
  };

  for (const tool of tools) {
    const members = memberships.get(tool.id) ?? [];
    if (members.length === 0) continue;
    await slicer.tick();
    const actions: NamespaceDefinition<string>['actions'] = { ...groupActions };
    const full = namespace?.actions ?? {};
    for (const { policy } of members) {
      for (const id of policy.actions) {
        const action = full[id];
        if (action !== undefined && !(id in actions)) {
          actions[id] = action.memberOf === undefined ? {} : { memberOf: action.memberOf };
        }
      }
    }
    actions[tool.id] = full[tool.id] as NonNullable<(typeof full)[string]>;
    validateAgainst(
      { '': { entityTypes: namespace?.entityTypes ?? {}, actions } },
      members.map((member) => member.policy),
    );
  }
  const orphans = policies.filter((policy) => !partitionsOf.has(policy.id));
  if (orphans.length > 0) {
    await slicer.tick();
    validateAgainst(schema, orphans);
  }
  if (issues.length > 0) throw invalidPolicies(sortIssues(issues));

  const warnings: PolicyIssue[] = [];
  for (const { count, policyId, error } of warningCounts.values()) {
    // Tool by tool a policy can look impossible for one tool and be fine for another: keep the
    // warnings every one of its tools gives.
    if (count >= (partitionsOf.get(policyId) ?? 1)) warnings.push(...located(policyId, error));
  }
  return { policies, warnings: sortIssues(warnings), memberships };
}

/**
 * Reads `@approvals`, `@approvalExpiry`, `@interactive` and `@approvers`; each is an issue on a
 * policy without `@approval`, and each value is checked.
 */
function readApprovalSettings(
  annotations: Record<string, string | null>,
  hasApproval: boolean,
  issueHere: (message: string) => void,
): ApprovalSettings | null {
  const names = ['approvals', 'approvalExpiry', 'interactive', 'approvers'].filter(
    (name) => name in annotations,
  );
  if (!hasApproval) {
    for (const name of names) issueHere(`@${name} only applies to a policy with @approval`);
    return null;
  }
  const settings: ApprovalSettings = { required: 1, expirySeconds: null, interactive: false, groups: [] };
  if ('approvals' in annotations) {
    const text = annotations.approvals ?? '';
    const required = /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN;
    if (!(required >= 1 && required <= MAX_REQUIRED_APPROVALS)) {
      issueHere(
        `@approvals needs a whole number of people from 1 to ${MAX_REQUIRED_APPROVALS}, as in @approvals("2")`,
      );
    } else {
      settings.required = required;
    }
  }
  if ('approvalExpiry' in annotations) {
    const seconds = parseDurationSeconds(annotations.approvalExpiry ?? '');
    if (seconds === undefined || seconds < 10 || seconds > 7 * 86400) {
      issueHere('@approvalExpiry needs a duration from 10s to 7d, as in @approvalExpiry("30m")');
    } else {
      settings.expirySeconds = seconds;
    }
  }
  if ('interactive' in annotations) {
    const text = annotations.interactive;
    if (text !== null && text !== undefined && text !== '' && text !== 'true' && text !== 'false') {
      issueHere('@interactive takes no value (or "true" / "false")');
    }
    settings.interactive = text !== 'false';
  }
  if ('approvers' in annotations) {
    const groups = (annotations.approvers ?? '')
      .split(',')
      .map((group) => group.trim())
      .filter((group) => group !== '');
    if (groups.length === 0 || groups.some((group) => !NAME_PATTERN.test(group))) {
      issueHere(
        '@approvers needs a comma-separated list of approver groups, as in @approvers("finance,security")',
      );
    } else {
      settings.groups = groups;
    }
  }
  return settings;
}

function annotationText(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function describe(error: DetailedError): string {
  let message = error.message;
  const labels = (error.sourceLocations ?? [])
    .map((location) => location.label)
    .filter((label): label is string => label !== null && label !== '');
  if (labels.length > 0) message += `: ${labels.join('; ')}`;
  if (error.help !== null && error.help !== '') message += ` (${error.help})`;
  for (const related of error.related ?? []) message += `; ${describe(related)}`;
  return message;
}

/** Issues for a Cedar error whose byte offsets are relative to `text`, which starts at `start` in the file. */
function issuesAt(file: PolicySourceFile, start: number, text: string, error: DetailedError): PolicyIssue[] {
  const location = error.sourceLocations?.[0];
  if (location === undefined) {
    const place = lineAndColumn(file.text, start);
    return [{ file: file.display, line: place.line, column: place.column, message: describe(error) }];
  }
  const place = lineAndColumn(file.text, start + byteOffsetToIndex(text, location.start));
  return [{ file: file.display, line: place.line, column: place.column, message: describe(error) }];
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return issues.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

function invalidPolicies(issues: PolicyIssue[]): WardenError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new WardenError(
    'WARDEN_POLICY_INVALID',
    `The policies have ${count}; fix them and load again (\`warden policy check\` shows them):\n${formatIssues(issues)}`,
    { issues },
  );
}
