/**
 * Cedar decision time at 10, 100, 1,000 and 10,000 generated policies, spread over many tools plus
 * a few unscoped guards: one unpartitioned preparsed set with every entity and context field passed
 * (the naive way) against PolicyService.decide (one preparsed set per tool, only what the tool's
 * policies read). Prints a markdown table of p50 and p99 in microseconds. Not a test: nothing here
 * fails on timing. Each measurement is time-boxed, so the whole run takes about a minute.
 *
 *   node --import tsx bench/cedar.ts
 *   BENCH_CEDAR_SIZES=10,100 BENCH_CEDAR_SECONDS=1 node --import tsx bench/cedar.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Context, EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { configSchema } from '../src/config/index.js';
import { PolicyService } from '../src/policy/index.js';
import type { AuthorizationRequest } from '../src/policy/index.js';

const SIZES = (process.env.BENCH_CEDAR_SIZES ?? '10,100,1000,10000').split(',').map(Number);
/** Longest a single measurement (one engine at one size) runs. */
const SECONDS = Number(process.env.BENCH_CEDAR_SECONDS ?? 3);
const MAX_SAMPLES = 5000;
const ROLES = 10;
const UNSCOPED = 3;
const RISKS = ['read', 'write', 'delete', 'external_communication', 'financial'] as const;
const CLASSES = ['public', 'internal', 'confidential', 'restricted'];

interface Setup {
  tools: { name: string; server: string; risk: string; classification: string }[];
  policies: string[];
}

/** About 20 policies per tool (at least 5 tools), a few per server group, and the unscoped guards. */
function generate(count: number): Setup {
  const toolCount = Math.max(5, Math.min(500, Math.round(count / 20)));
  const servers = Math.max(1, Math.round(toolCount / 25));
  const tools = Array.from({ length: toolCount }, (_, index) => ({
    name: `s${index % servers}__t${index}`,
    server: `s${index % servers}`,
    risk: RISKS[index % RISKS.length]!,
    classification: CLASSES[index % CLASSES.length]!,
  }));
  const policies = [
    'forbid (principal, action, resource) when { resource.classification > principal.clearance };',
    'forbid (principal, action in Action::"risk:delete", resource) unless { principal in Role::"admin" };',
    'forbid (principal, action, resource) when { context.session.callCount > 10000 };',
  ].slice(0, Math.min(UNSCOPED, count));
  for (let index = 0; policies.length < count; index += 1) {
    const tool = tools[index % tools.length]!;
    const role = `r${index % ROLES}`;
    const limit = 1000 + ((index * 7919) % 100_000);
    if (index % 20 === 19) {
      const server = `s${Math.floor(index / 20) % servers}`;
      policies.push(
        `permit (principal in Role::"${role}", action in Action::"server:${server}", resource) when { context.hour >= 8 && context.hour < 18 };`,
      );
    } else if (index % 5 === 4) {
      policies.push(
        `forbid (principal in Role::"${role}", action == Action::"${tool.name}", resource) when { context.arguments has amount && context.arguments.amount > ${limit} };`,
      );
    } else {
      policies.push(
        `permit (principal in Role::"${role}", action == Action::"${tool.name}", resource) when { context.arguments has amount && context.arguments.amount < ${limit} };`,
      );
    }
  }
  return { tools, policies };
}

function configFor(setup: Setup): ReturnType<typeof configSchema.parse> {
  const servers: Record<string, unknown> = {};
  for (const tool of setup.tools) {
    const server = (servers[tool.server] ??= { transport: 'stdio', command: 'node', tools: {} }) as {
      tools: Record<string, unknown>;
    };
    server.tools[tool.name.split('__')[1]!] = {
      risk: tool.risk,
      classification: tool.classification,
      arguments: { amount: 'long', note: 'string' },
    };
  }
  const roles = Object.fromEntries(
    [...Array.from({ length: ROLES }, (_, index) => `r${index}`), 'admin'].map((role) => [role, {}]),
  );
  return configSchema.parse({ version: 1, roles, servers });
}

function requests(setup: Setup, count: number): AuthorizationRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const tool = setup.tools[(index * 31) % setup.tools.length]!;
    return {
      agent: {
        id: `a${index % 7}`,
        name: `agent-${index % 7}`,
        roles: [`r${index % ROLES}`, `r${(index + 3) % ROLES}`],
        clearance: CLASSES[index % CLASSES.length]!,
        owner: 'owner@example.com',
      },
      tool: {
        name: tool.name,
        server: tool.server,
        tool: tool.name.split('__')[1]!,
        risk: tool.risk as AuthorizationRequest['tool']['risk'],
        classification: tool.classification,
        untrustedOutput: false,
      },
      arguments: { amount: (index * 104_729) % 120_000, note: 'lương tháng 1', other: 'x'.repeat(200) },
      time: Date.UTC(2026, 0, 6, 3, 0, 0),
      clientIp: '10.1.2.3',
      session: { id: 's', callCount: index % 50, toolCallCount: index % 5 },
    };
  });
}

function measure(
  label: string,
  inputs: AuthorizationRequest[],
  decide: (request: AuthorizationRequest) => unknown,
): number[] {
  for (let index = 0; index < Math.min(200, inputs.length); index += 1) decide(inputs[index]!);
  const samples: number[] = [];
  const stopAt = process.hrtime.bigint() + BigInt(SECONDS * 1e9);
  for (let index = 0; samples.length < MAX_SAMPLES; index += 1) {
    const request = inputs[index % inputs.length]!;
    const started = process.hrtime.bigint();
    decide(request);
    const ended = process.hrtime.bigint();
    samples.push(Number(ended - started) / 1000);
    if (ended > stopAt && samples.length >= 30) break;
  }
  process.stderr.write(`  ${label}: ${samples.length} decisions\n`);
  return samples.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const format = (microseconds: number): string =>
  microseconds >= 10_000 ? `${(microseconds / 1000).toFixed(1)} ms` : `${Math.round(microseconds)} µs`;

interface Row {
  policies: number;
  tools: number;
  perDecision: string;
  loadSeconds: number;
  unpartitioned: number[];
  partitioned: number[];
}

const rows: Row[] = [];
const workDir = await mkdtemp(join(tmpdir(), 'warden-bench-cedar-'));
try {
  for (const size of SIZES) {
    process.stderr.write(`${size} policies\n`);
    const setup = generate(size);
    const config = configFor(setup);
    const dir = join(workDir, String(size));
    await mkdir(join(dir, 'policies'), { recursive: true });
    await writeFile(join(dir, 'policies', 'generated.cedar'), setup.policies.join('\n'));

    const loadStarted = process.hrtime.bigint();
    const service = await PolicyService.load({ config, baseDir: dir });
    const loadSeconds = Number(process.hrtime.bigint() - loadStarted) / 1e9;
    process.stderr.write(`  loaded, validated and partitioned in ${loadSeconds.toFixed(1)} s\n`);
    const inputs = requests(setup, 1000);
    const sizes = inputs
      .slice(0, 200)
      .map((request) => service.explain(request).evaluated.length)
      .sort((a, b) => a - b);
    const perDecision = `${sizes[0]}–${sizes.at(-1)}`;

    // The naive way: every policy in one preparsed set, every entity and context field passed.
    const setId = `bench-unpartitioned-${size}`;
    const preparsed = cedar.preparsePolicySet(setId, {
      staticPolicies: Object.fromEntries(setup.policies.map((policy, index) => [`p${index}`, policy])),
    });
    if (preparsed.type !== 'success') throw new Error(JSON.stringify(preparsed.errors));
    const ranks = new Map(CLASSES.map((name, index) => [name, index]));
    const unpartitioned = (request: AuthorizationRequest): unknown => {
      const entities: EntityJson[] = [
        {
          uid: { type: 'Agent', id: request.agent.name },
          attrs: {
            name: request.agent.name,
            owner: request.agent.owner,
            clearance: ranks.get(request.agent.clearance) ?? -1,
            clearanceName: request.agent.clearance,
          },
          parents: request.agent.roles.map((role) => ({ type: 'Role', id: role })),
        },
        {
          uid: { type: 'Tool', id: request.tool.name },
          attrs: {
            name: request.tool.name,
            server: request.tool.server,
            risk: request.tool.risk,
            classification: ranks.get(request.tool.classification ?? '') ?? -1,
            classificationName: request.tool.classification ?? '',
            untrustedOutput: request.tool.untrustedOutput,
          },
          parents: [{ type: 'Server', id: request.tool.server }],
        },
        {
          uid: { type: 'Action', id: request.tool.name },
          attrs: {},
          parents: [
            { type: 'Action', id: `server:${request.tool.server}` },
            { type: 'Action', id: `risk:${request.tool.risk}` },
          ],
        },
      ];
      const context: Context = {
        arguments: { amount: request.arguments.amount as number, note: request.arguments.note as string },
        hour: 10,
        weekday: 2,
        clientIp: { __extn: { fn: 'ip', arg: request.clientIp ?? '127.0.0.1' } },
        session: { callCount: request.session.callCount, toolCallCount: request.session.toolCallCount },
      };
      return cedar.statefulIsAuthorized({
        principal: { type: 'Agent', id: request.agent.name },
        action: { type: 'Action', id: request.tool.name },
        resource: { type: 'Tool', id: request.tool.name },
        context,
        entities,
        preparsedPolicySetId: setId,
      });
    };
    rows.push({
      policies: size,
      tools: setup.tools.length,
      perDecision,
      loadSeconds,
      unpartitioned: measure('unpartitioned', inputs, unpartitioned),
      partitioned: measure('partitioned (PolicyService.decide)', inputs, (request) =>
        service.decide(request),
      ),
    });
    cedar.preparsePolicySet(setId, { staticPolicies: {} });
    service.close();
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Cedar decision time (@cedar-policy/cedar-wasm ${cedar.getCedarVersion()}, Node ${process.version}, ${cpus().length} × ${cpu})`,
);
console.log();
console.log(
  '| policies | tools | policies per decision (partitioned) | load + validate | unpartitioned p50 | unpartitioned p99 | partitioned p50 | partitioned p99 | p50 speed-up |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const unpartitioned50 = percentile(row.unpartitioned, 50);
  const partitioned50 = percentile(row.partitioned, 50);
  console.log(
    `| ${row.policies.toLocaleString('en-US')} | ${row.tools} | ${row.perDecision} | ${row.loadSeconds.toFixed(1)} s | ${format(unpartitioned50)} | ${format(percentile(row.unpartitioned, 99))} | ${format(partitioned50)} | ${format(percentile(row.partitioned, 99))} | ${(unpartitioned50 / partitioned50).toFixed(1)}× |`,
  );
}
console.log();
console.log(
  'Unpartitioned: one preparsed set of every policy, with the agent, tool and action entities and the full context (arguments, hour, weekday, client address, session). ' +
    "Partitioned: PolicyService.decide, i.e. the preparsed set of the tool's policies plus the unscoped guards, with only the attributes and context fields those policies read (argument typing and context building included).",
);
