/**
 * What a decision hands Cedar: the declared arguments only, each checked against its declared type
 * (so a value can never be read as an entity or extension it is not), the local hour and weekday,
 * a client address Cedar can parse, and the session counts and labels.
 */
import { isIP } from 'node:net';
import type { CedarValueJson, Context } from '@cedar-policy/cedar-wasm/nodejs';
import type { JsonObject, JsonValue } from '../core/index.js';
import { FINDING_TYPE_NAMES } from '../inspect/types.js';
import { RISKS } from '../config/index.js';
import type { ArgumentType } from './schema.js';
import type { PolicyFindings, PolicySessionLabels } from './types.js';

/** The result of typing a call's declared arguments. */
export type TypedArguments =
  { ok: true; value: Record<string, CedarValueJson> } | { ok: false; problems: string[] };

const DECIMAL_PATTERN = /^(-?)(\d+)\.(\d{1,4})$/;
const DECIMAL_MAX = 9_223_372_036_854_775_807n;

/**
 * Keeps only the arguments declared for the tool, converted to their Cedar types. Undeclared
 * arguments are dropped; an absent one stays absent; a declared one of the wrong type (including
 * `null`) is a problem, named without its value.
 */
export function typeArguments(
  declared: ReadonlyArray<readonly [string, ArgumentType]>,
  args: JsonObject,
): TypedArguments {
  const value: Record<string, CedarValueJson> = {};
  let problems: string[] | undefined;
  for (const [name, type] of declared) {
    if (!Object.hasOwn(args, name)) continue;
    const given = args[name] as JsonValue;
    const converted = convert(type, given);
    if (converted === undefined) {
      (problems ??= []).push(`argument "${name}" must be ${EXPECTED[type]}, not ${describeJson(given)}`);
    } else {
      value[name] = converted;
    }
  }
  return problems === undefined ? { ok: true, value } : { ok: false, problems };
}

const EXPECTED: Record<ArgumentType, string> = {
  string: 'a string',
  long: 'a whole number (at most 2^53 - 1 in size)',
  decimal:
    'a decimal number with at most 4 digits after the point (a number, or a string like "12.50" or "12")',
  boolean: 'true or false',
  'string-set': 'an array of strings',
};

function convert(type: ArgumentType, given: JsonValue): CedarValueJson | undefined {
  switch (type) {
    case 'string':
      return typeof given === 'string' ? given : undefined;
    case 'long':
      return typeof given === 'number' && Number.isSafeInteger(given) ? given : undefined;
    case 'boolean':
      return typeof given === 'boolean' ? given : undefined;
    case 'string-set':
      return Array.isArray(given) && given.every((item) => typeof item === 'string') ? given : undefined;
    case 'decimal': {
      const text = decimalText(given);
      return text === undefined ? undefined : { __extn: { fn: 'decimal', arg: text } };
    }
  }
}

/** The Cedar decimal literal for a number or decimal string, or undefined when Cedar cannot hold it. */
export function decimalText(given: JsonValue): string | undefined {
  let text: string;
  if (typeof given === 'number') {
    if (!Number.isFinite(given)) return undefined;
    text = Number.isInteger(given) ? `${given}.0` : String(given);
  } else if (typeof given === 'string') {
    text = /^-?\d+$/.test(given) ? `${given}.0` : given;
  } else {
    return undefined;
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  const scaled = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  if (scaled > (sign === '-' ? DECIMAL_MAX + 1n : DECIMAL_MAX)) return undefined;
  return text;
}

function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array with other values than strings';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'a number out of range' : 'a number with a fraction';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}

/**
 * The client address as Cedar's `ip()` accepts it, or null: IPv4-mapped IPv6 addresses become
 * IPv4, and addresses Cedar cannot parse (zone ids, embedded IPv4) are left out.
 */
export function cedarClientIp(address: string | null): string | null {
  if (address === null) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  const candidate = mapped?.[1] ?? address;
  const family = isIP(candidate);
  if (family === 4) return candidate;
  if (family === 6 && !candidate.includes('%') && !candidate.includes('.')) return candidate;
  return null;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Hour (0–23) and weekday (0 = Sunday … 6) in one time zone, cached per minute. */
export class LocalTime {
  readonly #format: Intl.DateTimeFormat;
  #minute = Number.NaN;
  #hour = 0;
  #weekday = 0;

  constructor(timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      hour: 'numeric',
      weekday: 'short',
    });
  }

  /** Hour and weekday at `time` (epoch milliseconds). */
  at(time: number): { hour: number; weekday: number } {
    // Every time zone in use is offset from UTC by whole minutes, so a minute has one hour and weekday.
    const minute = Math.floor(time / 60_000);
    if (minute !== this.#minute) {
      let hour = 0;
      let weekday = 0;
      for (const part of this.#format.formatToParts(time)) {
        if (part.type === 'hour') hour = Number(part.value) % 24;
        else if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
      }
      this.#minute = minute;
      this.#hour = hour;
      this.#weekday = weekday;
    }
    return { hour: this.#hour, weekday: this.#weekday };
  }
}

/** The parts of the context that come from outside the call's arguments. */
export interface ContextInputs {
  arguments: Record<string, CedarValueJson>;
  hour: number;
  weekday: number;
  clientIp: string | null;
  callCount: number;
  toolCallCount: number;
  /** `context.findings` as Cedar values (see {@link findingsContext}). */
  findings: CedarValueJson;
  /** The label fields of `context.session` as Cedar values (see {@link sessionLabelsContext}). */
  sessionLabels: Record<string, CedarValueJson>;
}

/**
 * The label fields of `context.session`: `untrusted`, `maxClassification` as a rank (-1 when none),
 * `labels` as a set, `riskCounts` (every risk present, 0 when none), `bytesRead`, and `task` ("" when
 * none). Absent labels are those of a fresh session.
 */
export function sessionLabelsContext(
  labels: PolicySessionLabels | undefined,
  ranks: ReadonlyMap<string, number>,
): Record<string, CedarValueJson> {
  const riskCounts: Record<string, CedarValueJson> = {};
  for (const risk of RISKS) {
    const count = labels?.riskCounts[risk] ?? 0;
    riskCounts[risk] = Number.isSafeInteger(count) && count > 0 ? count : 0;
  }
  if (labels === undefined) {
    return { untrusted: false, maxClassification: -1, labels: [], riskCounts, bytesRead: 0, task: '' };
  }
  const bytesRead = Math.trunc(labels.bytesRead);
  return {
    untrusted: labels.untrusted,
    maxClassification:
      labels.maxClassification === null ? -1 : (ranks.get(labels.maxClassification) ?? ranks.size - 1),
    labels: [...labels.labels],
    riskCounts,
    bytesRead: Number.isSafeInteger(bytesRead) && bytesRead > 0 ? bytesRead : 0,
    task: labels.task ?? '',
  };
}

/**
 * `context.findings` for Cedar: types and classes as sets, the most sensitive class as its rank (-1
 * when none), counts (every known type present, 0 when absent), the injection score in percent.
 */
export function findingsContext(
  findings: PolicyFindings | undefined,
  ranks: ReadonlyMap<string, number>,
): CedarValueJson {
  const counts: Record<string, CedarValueJson> = {};
  for (const type of FINDING_TYPE_NAMES) counts[type] = 0;
  if (findings === undefined) {
    return { types: [], classes: [], maxClass: -1, pii: 0, secrets: 0, injectionScore: 0, counts };
  }
  const types: string[] = [];
  for (const [type, count] of Object.entries(findings.counts)) {
    if (!Object.hasOwn(counts, type) || !Number.isSafeInteger(count) || count <= 0) continue;
    counts[type] = count;
    types.push(type);
  }
  return {
    types,
    classes: [...findings.classes],
    maxClass: findings.maxClass === null ? -1 : (ranks.get(findings.maxClass) ?? -1),
    pii: Math.max(0, Math.trunc(findings.pii)),
    secrets: Math.max(0, Math.trunc(findings.secrets)),
    injectionScore: Math.min(100, Math.max(0, Math.round(findings.injectionScore * 100))),
    counts,
  };
}

/**
 * Builds the Cedar context of the schema's tool actions, with only the `fields` policies read
 * (`arguments`, `hour`, `weekday`, `clientIp`, `session`, `findings`).
 */
export function buildContext(inputs: ContextInputs, fields: ReadonlySet<string> | 'all' = 'all'): Context {
  const wants = (name: string): boolean => fields === 'all' || fields.has(name);
  const context: Context = {};
  if (wants('arguments')) context.arguments = inputs.arguments;
  if (wants('hour')) context.hour = inputs.hour;
  if (wants('weekday')) context.weekday = inputs.weekday;
  if (wants('session')) {
    context.session = {
      callCount: inputs.callCount,
      toolCallCount: inputs.toolCallCount,
      ...inputs.sessionLabels,
    };
  }
  if (wants('findings')) context.findings = inputs.findings;
  if (wants('clientIp')) {
    const ip = cedarClientIp(inputs.clientIp);
    if (ip !== null) context.clientIp = { __extn: { fn: 'ip', arg: ip } };
  }
  return context;
}
