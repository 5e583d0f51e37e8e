/**
 * The Cedar schema Warden generates from the configuration: every declared tool is an action in its
 * server's and its risk's action group, so a policy that names a tool, group or attribute that does
 * not exist is refused at load time instead of silently never matching.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { SchemaJson, TypeOfAttribute } from '@cedar-policy/cedar-wasm/nodejs';
import { RISKS } from '../config/index.js';
import type { Risk, WardenConfig } from '../config/index.js';
import { FINDING_TYPE_NAMES } from '../inspect/types.js';

/** Entity type names in the (namespace-free) schema. */
export const ENTITY_TYPES = {
  agent: 'Agent',
  role: 'Role',
  tool: 'Tool',
  server: 'Server',
  dataClass: 'DataClass',
  action: 'Action',
} as const;

/** The action group of a server's tools: `Action::"server:crm"`. */
export function serverGroupId(server: string): string {
  return `server:${server}`;
}

/** The action group of the tools with one risk: `Action::"risk:financial"`. */
export function riskGroupId(risk: Risk): string {
  return `risk:${risk}`;
}

/** The exposed name of a tool, also its Cedar action id: `crm__read_customer`. */
export function exposedToolName(server: string, tool: string): string {
  return `${server}__${tool}`;
}

/** Cedar type of each config argument type. */
const ARGUMENT_TYPES = {
  string: { type: 'String' },
  long: { type: 'Long' },
  decimal: { type: 'Extension', name: 'decimal' },
  boolean: { type: 'Boolean' },
  'string-set': { type: 'Set', element: { type: 'String' } },
} as const satisfies Record<string, TypeOfAttribute<string>>;

/** A declared argument type in config (`string`, `long`, `decimal`, `boolean`, `string-set`). */
export type ArgumentType = keyof typeof ARGUMENT_TYPES;

const required = <T extends object>(type: T): T & { required: true } => ({ ...type, required: true });

/**
 * Generates the Cedar schema (JSON form, no namespace) for a configuration:
 *
 * - `Agent` (in `Role`): `name`, `owner`, `clearance` (rank of its data class), `clearanceName`;
 * - `Tool` (in `Server`): `name` (exposed name), `server`, `risk`, `classification` (rank, -1 when
 *   none), `classificationName` ("" when none), `untrustedOutput`;
 * - `Role`, `Server`, and `DataClass` with its `rank` (0 = the first, least sensitive, in config);
 * - one action per declared tool, `Action::"crm__read_customer"`, in the groups
 *   `Action::"server:crm"` and `Action::"risk:read"`, applying to Agent → Tool, with the context
 *   `{ arguments: { <declared arguments, all optional> }, hour, weekday, clientIp?: ipaddr,
 *   session: { callCount, toolCallCount }, findings: { types, classes, maxClass, pii, secrets,
 *   injectionScore, counts: { <type>: Long } } }` (findings of content inspection in the arguments).
 *
 * Every server and every risk gets its action group, even with no tools in it, so policies may name
 * them.
 *
 * @example
 * const schema = generateCedarSchema(loaded.config);
 * // policies may now say: permit(principal in Role::"support", action in Action::"server:crm", resource);
 */
export function generateCedarSchema(config: WardenConfig): SchemaJson<string> {
  const findingsType = findingsRecordType();
  const actions: SchemaJson<string>[string]['actions'] = {};
  for (const server of Object.keys(config.servers)) actions[serverGroupId(server)] = {};
  for (const risk of RISKS) actions[riskGroupId(risk)] = {};
  for (const [serverName, server] of Object.entries(config.servers)) {
    for (const [toolName, tool] of Object.entries(server.tools)) {
      const argumentAttributes: Record<string, TypeOfAttribute<string>> = {};
      for (const [argument, type] of Object.entries(tool.arguments)) {
        argumentAttributes[argument] = { ...ARGUMENT_TYPES[type], required: false };
      }
      actions[exposedToolName(serverName, toolName)] = {
        memberOf: [{ id: serverGroupId(serverName) }, { id: riskGroupId(tool.risk) }],
        appliesTo: {
          principalTypes: [ENTITY_TYPES.agent],
          resourceTypes: [ENTITY_TYPES.tool],
          context: {
            type: 'Record',
            attributes: {
              arguments: required({ type: 'Record', attributes: argumentAttributes }),
              hour: required({ type: 'Long' }),
              weekday: required({ type: 'Long' }),
              clientIp: { type: 'Extension', name: 'ipaddr', required: false },
              session: required({
                type: 'Record',
                attributes: {
                  callCount: required({ type: 'Long' }),
                  toolCallCount: required({ type: 'Long' }),
                },
              }),
              findings: required(findingsType),
            },
          },
        },
      };
    }
  }
  const string = required({ type: 'String' } as const);
  const long = required({ type: 'Long' } as const);
  return {
    '': {
      entityTypes: {
        [ENTITY_TYPES.role]: {},
        [ENTITY_TYPES.server]: {},
        [ENTITY_TYPES.dataClass]: { shape: { type: 'Record', attributes: { rank: long } } },
        [ENTITY_TYPES.agent]: {
          memberOfTypes: [ENTITY_TYPES.role],
          shape: {
            type: 'Record',
            attributes: { name: string, owner: string, clearance: long, clearanceName: string },
          },
        },
        [ENTITY_TYPES.tool]: {
          memberOfTypes: [ENTITY_TYPES.server],
          shape: {
            type: 'Record',
            attributes: {
              name: string,
              server: string,
              risk: string,
              classification: long,
              classificationName: string,
              untrustedOutput: required({ type: 'Boolean' } as const),
            },
          },
        },
      },
      actions,
    },
  };
}

/**
 * `context.findings`: what content inspection found in the call's arguments — the types present
 * (`types`), their data classes (`classes`, and `maxClass` as a rank, -1 when none), counts of PII
 * and secrets, a count per type (`counts.email` …) and the injection score in percent (0–100).
 */
function findingsRecordType(): TypeOfAttribute<string> {
  const long = required({ type: 'Long' } as const);
  const stringSet = required({ type: 'Set', element: { type: 'String' } } as const);
  const counts: Record<string, TypeOfAttribute<string>> = {};
  for (const type of FINDING_TYPE_NAMES) counts[type] = long;
  return {
    type: 'Record',
    attributes: {
      types: stringSet,
      classes: stringSet,
      maxClass: long,
      pii: long,
      secrets: long,
      injectionScore: long,
      counts: required({ type: 'Record', attributes: counts }),
    },
  };
}

/** Rank of each data class: its index in `config.dataClasses` (0 = least sensitive). */
export function dataClassRanks(config: WardenConfig): Map<string, number> {
  return new Map(config.dataClasses.map((dataClass, index) => [dataClass.name, index]));
}

/** The schema in Cedar's human-readable schema syntax (for `warden policy check --schema`). */
export function cedarSchemaText(schema: SchemaJson<string>): string {
  const answer = cedar.schemaToText(schema);
  if (answer.type !== 'success') {
    return `// the schema could not be rendered as text: ${answer.errors.map((error) => error.message).join('; ')}\n${JSON.stringify(schema, null, 2)}`;
  }
  return answer.text;
}
