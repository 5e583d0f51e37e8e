/**
 * `warden policy ...`: check the policies against the generated schema, run policy unit cases,
 * explain one decision, and ask a running server to reload its policies (SIGHUP).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import type { JsonObject } from '../core/index.js';
import {
  cedarSchemaText,
  MAX_CASES_BYTES,
  parsePolicyCases,
  PolicyService,
  runPolicyCases,
} from '../policy/index.js';
import type { AuthorizationRequest, PolicyAgent } from '../policy/index.js';
import { pidFilePath } from '../server/index.js';
import { table } from './output.js';
import type { CommandContext } from './program.js';

/** Largest `--args` JSON accepted by `warden policy explain`. */
const MAX_ARGS_BYTES = 64 * 1024;

/** Registers `warden policy check|test|explain|reload`. */
export function registerPolicyCommands(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
): void {
  const { output } = context;
  const policy = program.command('policy').description('Cedar policies: check, test, explain, reload');

  const withPolicies = async <T>(
    action: (service: PolicyService, loaded: LoadedConfig) => Promise<T> | T,
  ): Promise<T> => {
    const loaded = await context.config();
    const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
    try {
      return await action(service, loaded);
    } finally {
      service.close();
    }
  };

  policy
    .command('check')
    .description('validate every policy file against the schema generated from the configuration')
    .option('--schema', 'also print the generated Cedar schema')
    .option('--json', 'print JSON')
    .action(async (options: { schema?: boolean; json?: boolean }) => {
      await withPolicies((service) => {
        const { summary } = service;
        if (options.json === true) {
          output.json({ ...summary, ...(options.schema === true ? { schema: service.schema } : {}) });
          return;
        }
        if (options.schema === true) {
          output.line('// Cedar schema generated from the configuration');
          output.line(cedarSchemaText(service.schema).trimEnd());
          output.line();
        }
        output.line(`policy directory: ${summary.dir}`);
        if (summary.files.length > 0) {
          output.line(
            table([['FILE', 'POLICIES'], ...summary.files.map((file) => [file.file, String(file.policies)])]),
          );
        }
        for (const warning of summary.warnings) output.error(`warning: ${warning}`);
        const count = summary.policies.length;
        output.line(
          `${count} ${count === 1 ? 'policy' : 'policies'} in ${summary.files.length} ${summary.files.length === 1 ? 'file' : 'files'} valid (version ${summary.version})`,
        );
      });
    });

  policy
    .command('test')
    .description('run policy unit cases from a YAML file and report pass or fail for each')
    .argument('<cases>', 'cases file (YAML)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const path = resolve(file);
      const text = await readCasesFile(path, file);
      await withPolicies((service, loaded) => {
        const cases = parsePolicyCases(text, file, loaded.config);
        const results = runPolicyCases(service, cases);
        const failed = results.filter((result) => !result.passed);
        if (options.json === true) {
          output.json(
            results.map((result) => ({
              name: result.case.name,
              line: result.case.line,
              passed: result.passed,
              expected: result.case.expect,
              decision: result.decision,
              problems: result.problems,
            })),
          );
        } else {
          for (const result of results) {
            if (result.passed) {
              output.line(`PASS  ${result.case.name}`);
              continue;
            }
            output.line(`FAIL  ${result.case.name} (${file}:${result.case.line})`);
            for (const problem of result.problems) output.line(`        ${problem}`);
            if (result.decision.kind !== 'allow') output.line(`        decision: ${result.decision.message}`);
          }
          output.line(`${results.length - failed.length} passed, ${failed.length} failed`);
        }
        if (failed.length > 0) setExitCode(1);
      });
    });

  policy
    .command('explain')
    .description('decide one call and show why: determining policies, reasons and the context Cedar saw')
    .requiredOption(
      '--agent <name>',
      'agent name (from the configuration, or created with `warden agents create`)',
    )
    .requiredOption('--tool <name>', 'exposed tool name, <server>__<tool>')
    .option('--args <json>', 'the call arguments as a JSON object', '{}')
    .option(
      '--hour <hour>',
      'hour of day 0-23 to decide at (default: now, in policy.timezone)',
      integerOption('--hour', 0, 23),
    )
    .option(
      '--weekday <day>',
      'weekday 0 (Sunday) to 6 to decide at (default: today)',
      integerOption('--weekday', 0, 6),
    )
    .option('--client-ip <address>', 'client address the call comes from')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        agent: string;
        tool: string;
        args: string;
        hour?: number;
        weekday?: number;
        clientIp?: string;
        json?: boolean;
      }) => {
        const args = parseArgsOption(options.args);
        const loaded = await context.config();
        const agent = await findAgent(context, loaded, options.agent);
        await withPolicies((service) => {
          const tool = declaredTool(loaded, options.tool);
          const request: AuthorizationRequest = {
            agent,
            tool,
            arguments: args,
            time: service.clock.now(),
            clientIp: options.clientIp ?? null,
            session: { id: null, callCount: 0, toolCallCount: 0 },
          };
          const explanation = service.explain(request, {
            ...(options.hour === undefined ? {} : { hour: options.hour }),
            ...(options.weekday === undefined ? {} : { weekday: options.weekday }),
          });
          if (options.json === true) {
            output.json(explanation);
            return;
          }
          const { decision } = explanation;
          output.line(`decision: ${decision.kind}`);
          if (decision.kind !== 'allow') output.line(`  ${decision.message}`);
          const places = new Map(
            service.summary.policies.map((entry) => [entry.id, `${entry.file}:${entry.line}`]),
          );
          if (decision.policies.length > 0) {
            output.line('determining policies:');
            output.line(
              table(
                decision.policies.map((entry) => [
                  `  ${entry.id}`,
                  places.get(entry.id) ?? '',
                  entry.reason ?? '(no @reason)',
                ]),
              ),
            );
          } else {
            output.line('determining policies: none');
          }
          output.line(
            `policies evaluated for ${tool.name}: ${explanation.evaluated.length}${explanation.evaluated.length > 0 ? ` (${explanation.evaluated.join(', ')})` : ''}`,
          );
          if (explanation.derived !== null) {
            output.line(`request context: ${JSON.stringify(explanation.derived)}`);
          }
          if (explanation.context !== null) {
            output.line(
              `context Cedar saw (the fields these policies read): ${JSON.stringify(explanation.context)}`,
            );
          }
          for (const error of explanation.errors) output.line(`evaluation error: ${error}`);
          output.line(`policy version: ${explanation.version}`);
        });
      },
    );

  policy
    .command('reload')
    .description('check the policies, then tell the running server to reload them (SIGHUP)')
    .action(async () => {
      const loaded = await context.config();
      const pidFile = pidFilePath(loaded);
      const pid = await readServerPid(pidFile);
      // Refuse early: the server would refuse an invalid set too, and keep the old one.
      const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
      const count = service.summary.policies.length;
      service.close();
      try {
        process.kill(pid, 'SIGHUP');
      } catch (error) {
        throw noServer(
          pidFile,
          (error as NodeJS.ErrnoException).code === 'EPERM' ? 'permission' : 'gone',
          pid,
        );
      }
      output.line(
        `policies are valid (${count} ${count === 1 ? 'policy' : 'policies'}); sent SIGHUP to the warden server (pid ${pid}). ` +
          'It loads them and swaps them in only if they are still valid: check the server log for "policies reloaded".',
      );
    });
}

async function readCasesFile(path: string, shown: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new WardenError(
      'WARDEN_USAGE',
      `No cases file at ${shown}. Give the path of a YAML file of policy cases.`,
    );
  }
  if (info.size > MAX_CASES_BYTES) {
    throw new WardenError(
      'WARDEN_POLICY_CASES_INVALID',
      `The cases file ${shown} is ${info.size} bytes; the limit is ${MAX_CASES_BYTES}. Split it into several files.`,
    );
  }
  return readFile(path, 'utf8');
}

function parseArgsOption(text: string): JsonObject {
  if (Buffer.byteLength(text) > MAX_ARGS_BYTES) {
    throw new WardenError('WARDEN_USAGE', `--args is larger than ${MAX_ARGS_BYTES} bytes.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--args is not valid JSON (${error instanceof Error ? error.message : String(error)}); write e.g. --args '{"id":"c-1001"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WardenError('WARDEN_USAGE', `--args must be a JSON object, e.g. --args '{"id":"c-1001"}'`);
  }
  return value as JsonObject;
}

function integerOption(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new WardenError(
        'WARDEN_USAGE',
        `${name} must be a whole number from ${min} to ${max}, not "${value}"`,
      );
    }
    return number;
  };
}

async function findAgent(context: CommandContext, loaded: LoadedConfig, name: string): Promise<PolicyAgent> {
  const configured = loaded.config.agents[name];
  if (configured !== undefined) {
    return {
      id: name,
      name,
      roles: configured.roles,
      clearance: configured.clearance,
      owner: configured.owner,
    };
  }
  const record = await context.withWarden({ sync: false }, (warden) => warden.agents.get(name));
  return {
    id: record.id,
    name: record.name,
    roles: record.roles,
    clearance: record.clearance,
    owner: record.owner,
  };
}

function declaredTool(loaded: LoadedConfig, name: string): AuthorizationRequest['tool'] {
  const separator = name.indexOf('__');
  const server = separator > 0 ? name.slice(0, separator) : '';
  const toolName = separator > 0 ? name.slice(separator + 2) : '';
  const spec = loaded.config.servers[server]?.tools[toolName];
  if (spec === undefined) {
    const known = Object.entries(loaded.config.servers).flatMap(([serverName, serverSpec]) =>
      Object.keys(serverSpec.tools).map((tool) => `${serverName}__${tool}`),
    );
    throw new WardenError(
      'WARDEN_USAGE',
      `--tool "${name}" is not a declared tool; declared tools: ${known.join(', ') || 'none'}`,
    );
  }
  return {
    name,
    server,
    tool: toolName,
    risk: spec.risk,
    classification: spec.classification ?? null,
    untrustedOutput: spec.untrustedOutput,
  };
}

async function readServerPid(pidFile: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    throw noServer(pidFile, 'missing');
  }
  const pid = Number(text.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) throw noServer(pidFile, 'garbled');
  try {
    process.kill(pid, 0);
  } catch (error) {
    throw noServer(pidFile, (error as NodeJS.ErrnoException).code === 'EPERM' ? 'permission' : 'gone', pid);
  }
  // Where /proc exists, make sure the pid is still a `warden serve` and not a reused pid.
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (commandLine !== null && !commandLine.split('\0').includes('serve'))
    throw noServer(pidFile, 'gone', pid);
  return pid;
}

function noServer(
  pidFile: string,
  why: 'missing' | 'garbled' | 'gone' | 'permission',
  pid?: number,
): WardenError {
  const reason = {
    missing: `there is no pid file at ${pidFile}`,
    garbled: `the pid file ${pidFile} does not hold a process id`,
    gone: `the pid file ${pidFile} names process ${pid ?? '?'}, which is not a running warden server (a stale pid file)`,
    permission: `process ${pid ?? '?'} from ${pidFile} belongs to another user; run this command as the user running the server`,
  }[why];
  const prefix =
    why === 'permission' ? 'Cannot signal the warden server' : 'No running warden server to reload';
  return new WardenError(
    'WARDEN_NOT_FOUND',
    `${prefix}: ${reason}. A server started with \`warden serve\` loads the policies when it starts.`,
    { pidFile },
  );
}
