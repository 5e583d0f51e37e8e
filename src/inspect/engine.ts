/**
 * The action engine: decides, per finding, whether content passes, is masked, is tokenized or
 * refuses the call, from the data class of what was found, the tool's overrides and the agent's
 * clearance; and what happens to results that carry a prompt injection. It never mutates its
 * inputs, and what it reports (FindingsSummary) holds types and counts, never values.
 */
import type { ResolvedConfig } from '../config/index.js';
import { WardenError, applyEdits, pointerKeys, replaceSpans } from '../core/index.js';
import type { JsonObject, JsonValue, SpanReplacement } from '../core/index.js';
import { stripHiddenText, wrapUntrusted } from './injection/neutralize.js';
import type { Scanner, ScannerOptions } from './scanner.js';
import { FINDING_TYPES, FINDING_TYPE_NAMES } from './types.js';
import type { FindingType, LocatedFinding, ScanLimits } from './types.js';
import type { TokenVault } from './vault.js';

/** Who is calling what: the pieces of a tool call the engine decides with. */
export interface InspectionContext {
  /** The MCP session; tokens are issued to and restored within it. */
  sessionId: string;
  /** The agent's clearance: a data class name from the config. */
  agentClearance: string;
  /** Server name in the config. */
  server: string;
  /** Tool name in the config (without the server prefix). */
  tool: string;
  /** The name the agent sees, `<server>__<tool>`: used in messages and in `tool:` untrusted-content labels. */
  exposedName: string;
}

/** What was done with the findings of one type. */
export type FindingAction = 'allow' | 'mask' | 'tokenize' | 'block';

/**
 * What inspection found in one direction of a call: types, counts and actions only, never values
 * or offsets. It goes to the audit log and to policies (`context.findings`).
 */
export interface FindingsSummary {
  /** Findings per type (injection spans included). */
  counts: Partial<Record<FindingType, number>>;
  /** Data classes of the PII and secrets found, least sensitive first. */
  classes: string[];
  /** The most sensitive of `classes`, or null when no PII or secret was found. */
  maxClass: string | null;
  /** Number of PII findings. */
  pii: number;
  /** Number of secret findings. */
  secrets: number;
  /** Highest injection probability over the strings scanned, 0..1, 3 decimals. */
  injectionScore: number;
  /** Per PII or secret type, what was done with it. */
  actions: Partial<Record<FindingType, FindingAction>>;
  /** Tokens from earlier results restored to their values before the call went upstream. */
  restoredTokens: number;
}

export interface ArgumentsInspection {
  /** The arguments to send upstream: a new object, or the same object when nothing changed. */
  arguments: JsonObject;
  summary: FindingsSummary;
  /** The arguments (tokens restored) with every PII and secret finding as `[TYPE]`: what records show. */
  masked: JsonObject;
}

export interface ResultInspection {
  /** The result to give the agent: a new object, or the same object when nothing changed. */
  result: JsonObject;
  summary: FindingsSummary;
  /** The injection score reached the configured threshold. */
  injection: boolean;
}

export interface InspectionEngineOptions {
  config: ResolvedConfig;
  scanner: Scanner;
  vault: TokenVault;
}

const ACTION_STRENGTH: Record<FindingAction, number> = { allow: 0, mask: 1, tokenize: 2, block: 3 };

/**
 * Inspects tool-call arguments on their way upstream and results on their way back.
 *
 * @example
 * const engine = new InspectionEngine({ config, scanner: new Scanner(defaultDetectors(), createInjectionScorer()), vault });
 * const { arguments: args, summary } = engine.inspectArguments(context, request.arguments);
 * const { result } = engine.inspectResult(context, upstreamResult, { untrustedOutput: tool.untrustedOutput });
 */
export class InspectionEngine {
  readonly #config: ResolvedConfig;
  readonly #scanner: Scanner;
  readonly #vault: TokenVault;
  readonly #classOf: ReadonlyMap<FindingType, string>;
  readonly #rank: ReadonlyMap<string, number>;
  readonly #scanOptions: ScannerOptions;

  constructor(options: InspectionEngineOptions) {
    const { config } = options;
    this.#config = config;
    this.#scanner = options.scanner;
    this.#vault = options.vault;
    this.#rank = new Map(config.dataClasses.map((dataClass, index) => [dataClass.name, index]));
    this.#classOf = dataClassesOfTypes(config);
    const { limits } = config.inspection;
    const scanLimits: Partial<ScanLimits> = {
      maxStringLength: limits.maxStringLength,
      maxTotalLength: limits.maxTotalLength,
      maxDepth: limits.maxDepth,
      timeBudgetMs: limits.timeBudget * 1000,
    };
    this.#scanOptions = {
      limits: scanLimits,
      minConfidence: config.inspection.minConfidence,
      ignoreTypes: config.inspection.ignore.filter((type): type is FindingType =>
        Object.hasOwn(FINDING_TYPES, type),
      ),
    };
  }

  /**
   * Inspects a call's arguments before they go upstream: restores this session's tokens (never
   * another session's), scans, then masks, tokenizes or refuses per the `inspection.arguments`
   * actions (the tool's overrides first). Throws WARDEN_INSPECTION_BLOCKED when a finding's action
   * is `block`, WARDEN_INSPECTION_FAILED when the scan cannot complete.
   */
  inspectArguments(context: InspectionContext, args: JsonObject): ArgumentsInspection {
    const inspection = this.#config.inspection;
    const { value: restoredValue, restored } = this.#vault.restoreValue(context.sessionId, args, {
      maxDepth: inspection.limits.maxDepth,
    });
    const restoredArgs = restoredValue as JsonObject;
    const restoredTokens = restored.reduce((total, entry) => total + entry.count, 0);
    if (!inspection.enabled) {
      return { arguments: restoredArgs, summary: emptySummary(restoredTokens), masked: restoredArgs };
    }

    const scan = this.#scanner.scanValue(restoredArgs, { ...this.#scanOptions, kind: 'prompt' });
    const overrides = this.#toolInspection(context)?.arguments;
    const summary = this.#summarize(scan.findings, scan.injectionScore, restoredTokens, (dataClass) => {
      return overrides?.[dataClass] ?? inspection.arguments[dataClass] ?? 'allow';
    });
    this.#refuseBlocked(
      summary,
      (types, dataClass) =>
        `${context.exposedName} was not called: its arguments carry ${types} (${dataClass}), which policy does not let through to this tool; remove them from the arguments, or ask an administrator to change inspection.arguments in warden.yaml`,
      context,
    );
    const edits = this.#dataEdits(context, restoredArgs, scan.findings, summary);
    return {
      arguments: applyEdits(restoredArgs, edits) as JsonObject,
      summary,
      masked: maskedCopy(restoredArgs, scan.findings),
    };
  }

  /**
   * Inspects a tool result before the agent sees it: scans it, masks or tokenizes per
   * `inspection.results` (anything above the agent's clearance is at least masked), and handles a
   * likely prompt injection per `inspection.injection`. Results of `untrustedOutput` tools always
   * have hidden text stripped. Throws WARDEN_INSPECTION_BLOCKED or WARDEN_INJECTION_BLOCKED to
   * withhold the result, WARDEN_INSPECTION_FAILED when the scan cannot complete.
   */
  inspectResult(
    context: InspectionContext,
    result: JsonObject,
    options: { untrustedOutput: boolean },
  ): ResultInspection {
    const inspection = this.#config.inspection;
    if (!inspection.enabled) return { result, summary: emptySummary(0), injection: false };

    const scan = this.#scanner.scanValue(result, { ...this.#scanOptions, kind: 'tool_output' });
    const toolInspection = this.#toolInspection(context);
    const overrides = toolInspection?.results;
    const clearance = this.#rank.get(context.agentClearance) ?? -1;
    const summary = this.#summarize(scan.findings, scan.injectionScore, 0, (dataClass) => {
      const action = overrides?.[dataClass] ?? inspection.results[dataClass] ?? 'allow';
      // Above the agent's clearance a value is never shown as it is.
      return action === 'allow' && (this.#rank.get(dataClass) ?? Infinity) > clearance ? 'mask' : action;
    });

    const injection = scan.injectionScore >= inspection.injection.threshold;
    const injectionAction = injection ? (toolInspection?.injection ?? inspection.injection.action) : 'log';
    if (injectionAction === 'block') {
      const types = FINDING_TYPE_NAMES.filter(
        (type) => FINDING_TYPES[type].category === 'injection' && summary.counts[type] !== undefined,
      );
      throw new WardenError(
        'WARDEN_INJECTION_BLOCKED',
        `The result of ${context.exposedName} was withheld: it looks like a prompt injection (score ${summary.injectionScore} reached the threshold ${inspection.injection.threshold})${types.length > 0 ? `, with ${types.join(', ')}` : ''}. Do not retry the same request; ask an administrator to review the tool's output if this is a false alarm.`,
        {
          tool: context.exposedName,
          score: summary.injectionScore,
          threshold: inspection.injection.threshold,
          types,
          findings: summary,
        },
      );
    }
    this.#refuseBlocked(
      summary,
      (types, dataClass) =>
        `The result of ${context.exposedName} was withheld: it carries ${types} (${dataClass}), which policy does not let through to this agent; ask an administrator to change inspection.results in warden.yaml if this agent needs it`,
      context,
    );

    const edits = this.#dataEdits(context, result, scan.findings, summary);
    if (injectionAction === 'neutralize' || options.untrustedOutput) {
      const wrap = injectionAction === 'neutralize';
      const source = `tool:${context.exposedName}`;
      forEachTextBlock(result, (pointer, original) => {
        const text = edits.get(pointer) ?? original;
        let stripped = stripHiddenText(text);
        if (stripped !== text) {
          // Removing hidden text can join what the scan saw apart (`lan\u200b@example.com`):
          // whatever the stripped text now carries is masked, whatever the actions say.
          const rescan = this.#scanner.scanText(stripped, {
            ...this.#scanOptions,
            categories: ['pii', 'secret'],
          });
          if (rescan.findings.length > 0) {
            stripped = replaceSpans(
              stripped,
              rescan.findings.map((finding) => ({
                start: finding.start,
                end: finding.end,
                text: `[${finding.type.toUpperCase()}]`,
              })),
            );
          }
        }
        const next = wrap ? wrapUntrusted(stripped, source) : stripped;
        if (next !== original) edits.set(pointer, next);
      });
    }
    return { result: applyEdits(result, edits) as JsonObject, summary, injection };
  }

  /**
   * A copy of `value` with every PII and secret finding masked as `[TYPE]`, whatever the actions
   * (for views such as a held call's arguments shown to an approver). Returns `value` itself when
   * nothing was found; throws WARDEN_INSPECTION_FAILED when the scan cannot complete, so the
   * caller can withhold the value rather than show it unmasked.
   */
  maskAll(value: JsonObject): JsonObject {
    const scan = this.#scanner.scanValue(value, { ...this.#scanOptions, categories: ['pii', 'secret'] });
    return maskedCopy(value, scan.findings);
  }

  #toolInspection(context: InspectionContext) {
    return this.#config.servers[context.server]?.tools[context.tool]?.inspection;
  }

  /** Counts and actions of the findings; `actionOf` decides per data class for PII and secrets. */
  #summarize(
    findings: readonly LocatedFinding[],
    injectionScore: number,
    restoredTokens: number,
    actionOf: (dataClass: string) => FindingAction,
  ): FindingsSummary {
    const summary = emptySummary(restoredTokens);
    summary.injectionScore = Math.round(injectionScore * 1000) / 1000;
    const classes = new Set<string>();
    for (const finding of findings) {
      summary.counts[finding.type] = (summary.counts[finding.type] ?? 0) + 1;
      const { category } = FINDING_TYPES[finding.type];
      if (category === 'injection') continue;
      if (category === 'pii') summary.pii++;
      else summary.secrets++;
      const dataClass = this.#classOf.get(finding.type) as string;
      classes.add(dataClass);
      const action = actionOf(dataClass);
      const previous = summary.actions[finding.type];
      if (previous === undefined || ACTION_STRENGTH[action] > ACTION_STRENGTH[previous]) {
        summary.actions[finding.type] = action;
      }
    }
    summary.classes = [...classes].sort((a, b) => (this.#rank.get(a) ?? 0) - (this.#rank.get(b) ?? 0));
    summary.maxClass = summary.classes.at(-1) ?? null;
    return summary;
  }

  /** Throws WARDEN_INSPECTION_BLOCKED naming the blocked types and their highest class; never a value. */
  #refuseBlocked(
    summary: FindingsSummary,
    message: (types: string, dataClass: string) => string,
    context: InspectionContext,
  ): void {
    const blocked = FINDING_TYPE_NAMES.filter((type) => summary.actions[type] === 'block');
    if (blocked.length === 0) return;
    let dataClass = '';
    for (const type of blocked) {
      const candidate = this.#classOf.get(type) as string;
      if (dataClass === '' || (this.#rank.get(candidate) ?? 0) > (this.#rank.get(dataClass) ?? 0))
        dataClass = candidate;
    }
    throw new WardenError('WARDEN_INSPECTION_BLOCKED', `${message(blocked.join(', '), dataClass)}.`, {
      tool: context.exposedName,
      types: blocked,
      dataClass,
      findings: summary,
    });
  }

  /** The new text of every string that has a finding to mask or tokenize, by JSON pointer. */
  #dataEdits(
    context: InspectionContext,
    root: JsonValue,
    findings: readonly LocatedFinding[],
    summary: FindingsSummary,
  ): Map<string, string> {
    const byPath = new Map<string, SpanReplacement[]>();
    const originals = new Map<string, string>();
    for (const finding of findings) {
      const action = summary.actions[finding.type];
      if (action !== 'mask' && action !== 'tokenize') continue;
      let original = originals.get(finding.path);
      if (original === undefined) {
        original = stringAt(root, finding.path);
        originals.set(finding.path, original);
      }
      const text =
        action === 'mask'
          ? `[${finding.type.toUpperCase()}]`
          : this.#vault.tokenize(context.sessionId, finding.type, original.slice(finding.start, finding.end));
      let replacements = byPath.get(finding.path);
      if (replacements === undefined) byPath.set(finding.path, (replacements = []));
      replacements.push({ start: finding.start, end: finding.end, text });
    }
    const edits = new Map<string, string>();
    for (const [path, replacements] of byPath) {
      edits.set(path, replaceSpans(originals.get(path) as string, replacements));
    }
    return edits;
  }
}

/**
 * Each finding type's data class: `inspection.types` first, then the type's default; a class the
 * config does not define falls back to the most sensitive configured class (fail closed).
 */
function dataClassesOfTypes(config: ResolvedConfig): Map<FindingType, string> {
  const configured = new Set(config.dataClasses.map((dataClass) => dataClass.name));
  const mostSensitive = (config.dataClasses.at(-1) as { name: string }).name;
  const classOf = new Map<FindingType, string>();
  for (const type of FINDING_TYPE_NAMES) {
    const dataClass = config.inspection.types[type] ?? FINDING_TYPES[type].dataClass;
    classOf.set(type, configured.has(dataClass) ? dataClass : mostSensitive);
  }
  return classOf;
}

function emptySummary(restoredTokens: number): FindingsSummary {
  return {
    counts: {},
    classes: [],
    maxClass: null,
    pii: 0,
    secrets: 0,
    injectionScore: 0,
    actions: {},
    restoredTokens,
  };
}

function stringAt(root: JsonValue, pointer: string): string {
  let current: unknown = root;
  for (const key of pointerKeys(pointer)) current = (current as Record<string, unknown>)[key];
  if (typeof current !== 'string') {
    throw new WardenError(
      'WARDEN_INTERNAL',
      'A finding points at something that is not a string; this is a bug.',
      {
        path: pointer,
      },
    );
  }
  return current;
}

/** `value` with every PII and secret finding replaced by `[TYPE]` (the same object when none). */
function maskedCopy(value: JsonObject, findings: readonly LocatedFinding[]): JsonObject {
  const byPath = new Map<string, SpanReplacement[]>();
  for (const finding of findings) {
    if (FINDING_TYPES[finding.type].category === 'injection') continue;
    let replacements = byPath.get(finding.path);
    if (replacements === undefined) byPath.set(finding.path, (replacements = []));
    replacements.push({ start: finding.start, end: finding.end, text: `[${finding.type.toUpperCase()}]` });
  }
  if (byPath.size === 0) return value;
  const edits = new Map<string, string>();
  for (const [path, replacements] of byPath)
    edits.set(path, replaceSpans(stringAt(value, path), replacements));
  return applyEdits(value, edits) as JsonObject;
}

/**
 * Calls `visit` with the pointer and text of each text a model reads as such: `content[i].text` of
 * text blocks and `content[i].resource.text` of embedded resources.
 */
function forEachTextBlock(result: JsonObject, visit: (pointer: string, text: string) => void): void {
  const { content } = result;
  if (!Array.isArray(content)) return;
  content.forEach((block, index) => {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) return;
    if (block.type === 'text' && typeof block.text === 'string') visit(`/content/${index}/text`, block.text);
    const { resource } = block;
    if (
      block.type === 'resource' &&
      typeof resource === 'object' &&
      resource !== null &&
      !Array.isArray(resource) &&
      typeof resource.text === 'string'
    ) {
      visit(`/content/${index}/resource/text`, resource.text);
    }
  });
}
