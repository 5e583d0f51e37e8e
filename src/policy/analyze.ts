/**
 * Static analysis of a policy's JSON form: which tools' actions its scope can match, and which
 * entity attributes, context fields and arguments it can read. A decision passes Cedar only those,
 * which keeps it fast; anything the analysis does not recognise counts as "reads everything", so a
 * policy never sees less than it could read.
 */
import type { ActionConstraint, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { ENTITY_TYPES } from './schema.js';

/** What evaluating a set of policies needs passed in. `'all'` means everything there is. */
export interface PolicyNeeds {
  principalAttributes: Set<string> | 'all';
  resourceAttributes: Set<string> | 'all';
  contextFields: Set<string> | 'all';
  argumentFields: Set<string> | 'all';
  /** The action entity (with its groups as parents) must be passed. */
  actionEntity: boolean;
  /** The DataClass entities (with their ranks) must be passed. */
  dataClasses: boolean;
}

/** How an action scope relates to one tool's action. */
export type ScopeMatch = 'always' | 'never' | 'unknown';

/** Needs of no policy at all. */
export function emptyNeeds(): PolicyNeeds {
  return {
    principalAttributes: new Set(),
    resourceAttributes: new Set(),
    contextFields: new Set(),
    argumentFields: new Set(),
    actionEntity: false,
    dataClasses: false,
  };
}

/** Adds `more` into `into`. */
export function mergeNeeds(into: PolicyNeeds, more: PolicyNeeds): void {
  into.principalAttributes = union(into.principalAttributes, more.principalAttributes);
  into.resourceAttributes = union(into.resourceAttributes, more.resourceAttributes);
  into.contextFields = union(into.contextFields, more.contextFields);
  into.argumentFields = union(into.argumentFields, more.argumentFields);
  into.actionEntity ||= more.actionEntity;
  into.dataClasses ||= more.dataClasses;
}

function union(a: Set<string> | 'all', b: Set<string> | 'all'): Set<string> | 'all' {
  if (a === 'all' || b === 'all') return 'all';
  for (const item of b) a.add(item);
  return a;
}

/**
 * Whether an action scope matches requests for the action `actionId`, whose action groups are
 * `groups`: `always` (unscoped, `== Action::"<actionId>"`, or `in` the action or one of its groups),
 * `never`, or `unknown` (anything else; then the policy is kept with the action entity passed).
 */
export function matchActionScope(
  scope: ActionConstraint,
  actionId: string,
  groups: ReadonlySet<string>,
): ScopeMatch {
  const matchEntity = (uid: unknown, viaGroups: boolean): ScopeMatch => {
    const entity = entityOf(uid);
    if (entity === null || entity.type !== ENTITY_TYPES.action) return 'unknown';
    return entity.id === actionId || (viaGroups && groups.has(entity.id)) ? 'always' : 'never';
  };
  switch (scope.op) {
    case 'All':
      return 'always';
    case '==':
      return 'entity' in scope ? matchEntity(scope.entity, false) : 'unknown';
    case 'in': {
      const entities: unknown[] = 'entities' in scope ? scope.entities : [scope.entity];
      let result: ScopeMatch = 'never';
      for (const uid of entities) {
        const match = matchEntity(uid, true);
        if (match === 'always') return 'always';
        if (match === 'unknown') result = 'unknown';
      }
      return result;
    }
    default:
      return 'unknown';
  }
}

/** What one policy can read. */
export function analyzePolicy(policy: PolicyJson): PolicyNeeds {
  const needs = emptyNeeds();
  const everything = (): void => {
    needs.principalAttributes = 'all';
    needs.resourceAttributes = 'all';
  };
  const addTo = (
    key: 'principalAttributes' | 'resourceAttributes' | 'contextFields' | 'argumentFields',
    attribute: string,
  ): void => {
    const current = needs[key];
    if (current !== 'all') current.add(attribute);
  };

  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const dot = record['.'] as { left?: unknown; attr?: unknown } | undefined;
    const has = record.has as { left?: unknown; attr?: unknown } | undefined;
    const access = dot ?? has;
    if (typeof access === 'object' && access !== null && 'left' in access) {
      const base = chainOf(access.left);
      const attributes = (Array.isArray(access.attr) ? access.attr : [access.attr]) as unknown[];
      if (base === null && isDataClassLiteral(access.left)) {
        // `DataClass::"restricted".rank`: the DataClass entities are passed whole.
        needs.dataClasses = true;
        return;
      }
      if (base === null || !attributes.every((attribute) => typeof attribute === 'string')) {
        // An attribute of something else (an entity literal, an if-then-else...): it may be the
        // principal or the resource, so they keep every attribute.
        everything();
        visit(access.left);
        return;
      }
      const path = [...base.path, ...attributes];
      const first = path[0] as string;
      if (base.root === 'principal') addTo('principalAttributes', first);
      else if (base.root === 'resource') addTo('resourceAttributes', first);
      else if (base.root === 'action') needs.actionEntity = true;
      else if (base.root === 'context') {
        addTo('contextFields', first);
        const argument = path[1];
        if (first === 'arguments') {
          if (argument !== undefined) addTo('argumentFields', argument);
          // `context.arguments` used as a whole value (not only tested with `has`).
          else if (dot !== undefined) needs.argumentFields = 'all';
        }
      }
      return;
    }
    if (record.Var === 'context') {
      needs.contextFields = 'all';
      needs.argumentFields = 'all';
      return;
    }
    if (record.Var === 'action') {
      needs.actionEntity = true;
      return;
    }
    if (record.type === ENTITY_TYPES.dataClass && typeof record.id === 'string') needs.dataClasses = true;
    if (record.entity_type === ENTITY_TYPES.dataClass) needs.dataClasses = true;
    for (const value of Object.values(record)) visit(value);
  };

  // Principal and resource scopes use only parents (always passed); an `is` or `in` on DataClass is found by visit.
  visit([policy.principal, policy.resource, policy.conditions]);
  return needs;
}

/** A `DataClass::"<name>"` literal. */
function isDataClassLiteral(node: unknown): boolean {
  if (typeof node !== 'object' || node === null || !('Value' in node)) return false;
  const entity = entityOf(node.Value);
  return entity !== null && entity.type === ENTITY_TYPES.dataClass;
}

/** `principal`, `context.session`...: a variable followed by attribute accesses, or null. */
function chainOf(node: unknown): { root: string; path: string[] } | null {
  if (typeof node !== 'object' || node === null) return null;
  const record = node as Record<string, unknown>;
  if (typeof record.Var === 'string') return { root: record.Var, path: [] };
  const dot = record['.'] as { left?: unknown; attr?: unknown } | undefined;
  if (typeof dot !== 'object' || dot === null || typeof dot.attr !== 'string') return null;
  const inner = chainOf(dot.left);
  return inner === null ? null : { root: inner.root, path: [...inner.path, dot.attr] };
}

function entityOf(uid: unknown): { type: string; id: string } | null {
  if (typeof uid !== 'object' || uid === null) return null;
  const inner = '__entity' in uid ? uid.__entity : uid;
  if (typeof inner !== 'object' || inner === null) return null;
  const { type, id } = inner as { type?: unknown; id?: unknown };
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : null;
}

/** Every action id a policy names, in its scope or its conditions. */
export function referencedActions(policy: PolicyJson): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const entity = entityOf(node);
    if (entity !== null && entity.type === ENTITY_TYPES.action) found.add(entity.id);
    for (const value of Object.values(node as Record<string, unknown>)) visit(value);
  };
  visit([policy.action, policy.conditions]);
  return [...found];
}
