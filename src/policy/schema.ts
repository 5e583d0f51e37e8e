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
  model: 'Model',
} as const;

/** The action group of every model alias: `Action::"models"`. */
export const MODELS_GROUP_ID = 'models';

/** The action of one model alias: `Action::"model:fast"` (see docs/llm-proxy.md). */
export function modelActionId(alias: string): string {
  return `model:${alias}`;
}

/** True for a model action id (`model:<alias>`); tool actions never hold a colon. */
export function isModelAction(actionId: string): boolean {
  return actionId.startsWith('model:');
}

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
 *   session: { callCount, toolCallCount, untrusted, maxClassification, labels, riskCounts: { <risk>:
 *   Long }, bytesRead, task }, findings: { types, classes, maxClass, pii, secrets,
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
  const sessionType = sessionRecordType();
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
              session: required(sessionType),
              findings: required(findingsType),
            },
          },
        },
      };
    }
  }
  addModelActions(config, actions, findingsType);
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
        // Always declared, so a policy about models stays valid when no alias is configured.
        [ENTITY_TYPES.model]: {
          shape: {
            type: 'Record' as const,
            attributes: {
              name: string,
              provider: string,
              local: required({ type: 'Boolean' } as const),
            },
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
 * Model actions (LLM egress proxy): the group `Action::"models"` and one `Action::"model:<alias>"`
 * per alias in `llm.models`, applying to Agent → Model, with the context `{ hour, weekday,
 * clientIp?, findings }` (findings: what the request's messages carry).
 */
function addModelActions(
  config: WardenConfig,
  actions: SchemaJson<string>[string]['actions'],
  findingsType: TypeOfAttribute<string>,
): void {
  const aliases = Object.keys(config.llm?.models ?? {});
  // The group is always declared, so policies about models load (and match nothing) without aliases.
  actions[MODELS_GROUP_ID] = {};
  for (const alias of aliases) {
    actions[modelActionId(alias)] = {
      memberOf: [{ id: MODELS_GROUP_ID }],
      appliesTo: {
        principalTypes: [ENTITY_TYPES.agent],
        resourceTypes: [ENTITY_TYPES.model],
        context: {
          type: 'Record',
          attributes: {
            hour: required({ type: 'Long' }),
            weekday: required({ type: 'Long' }),
            clientIp: { type: 'Extension', name: 'ipaddr', required: false },
            findings: required(findingsType),
          },
        },
      },
    };
  }
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

/**
 * `context.session`: the calls this session made before this one (`callCount`, and `toolCallCount`
 * of this tool) and its labels, merged with its task's when the call names one (see
 * docs/sessions.md): `untrusted`, `maxClassification` (rank of the most sensitive data class read,
 * -1 when none), `labels`, `riskCounts.<risk>`, `bytesRead` and `task` ("" when none).
 */
function sessionRecordType(): TypeOfAttribute<string> {
  const long = required({ type: 'Long' } as const);
  const riskCounts: Record<string, TypeOfAttribute<string>> = {};
  for (const risk of RISKS) riskCounts[risk] = long;
  return {
    type: 'Record',
    attributes: {
      callCount: long,
      toolCallCount: long,
      untrusted: required({ type: 'Boolean' } as const),
      maxClassification: long,
      labels: required({ type: 'Set', element: { type: 'String' } } as const),
      riskCounts: required({ type: 'Record', attributes: riskCounts }),
      bytesRead: long,
      task: required({ type: 'String' } as const),
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
