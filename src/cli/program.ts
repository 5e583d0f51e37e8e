/**
 * Command definitions. Each command loads the config, opens the services it needs, does one thing
 * and closes them; exit code 0 on success, 1 on failure, 2 on a usage error.
 */
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, summarizeConfig } from '../config/index.js';
import type { LoadedConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import { createLogger, openWarden, startServer } from '../server/index.js';
import type { Warden } from '../server/index.js';
import { registerAgentCommands } from './agents.js';
import { registerAuditCommands } from './audit.js';
import { registerKeyCommands } from './keys.js';
import { registerPolicyCommands } from './policy.js';
import { registerWrapCommand } from './wrap.js';
import { registerDemoCommand } from './demo.js';
import { registerApprovalCommands } from './approvals.js';
import { registerAdminCommands } from './admins.js';
import { registerScanCommand } from './scan.js';
import { registerLockdownCommand } from './lockdown.js';
import { registerIncidentCommands } from './incident.js';
import { printError, processOutput } from './output.js';
import type { Output } from './output.js';

/** What every command implementation receives. */
export interface CommandContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** Loads the config named by --config, WARDEN_CONFIG or ./warden.yaml. */
  config(): Promise<LoadedConfig>;
  /** Opens the services; `sync` creates keys and config agents first (mutating commands). */
  withWarden<T>(options: { sync: boolean }, action: (warden: Warden) => Promise<T>): Promise<T>;
  /** `cli:<os user>`, the actor recorded in the audit log for CLI actions. */
  actor: string;
}

export interface RunOptions {
  output?: Output;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the exit code.
 *
 * @example
 * process.exitCode = await run(['agents', 'list', '--config', 'warden.yaml']);
 */
export async function run(argv: string[], options: RunOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const env = options.env ?? process.env;
  let exitCode = 0;
  const program = new Command('warden')
    .description('Warden: a zero-trust gateway and control plane for AI agents')
    .addOption(
      new Option('-c, --config <file>', 'configuration file (default: $WARDEN_CONFIG, then ./warden.yaml)'),
    )
    .showHelpAfterError('(run `warden --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.line(text.trimEnd()),
      writeErr: (text) => output.error(text.trimEnd()),
    });

  const configPath = (): string | undefined => program.opts<{ config?: string }>().config;
  const context: CommandContext = {
    output,
    env,
    actor: `cli:${safeUserName()}`,
    config: () => {
      const path = configPath();
      return loadConfig({ ...(path === undefined ? {} : { path }), env });
    },
    async withWarden(openOptions, action) {
      const loaded = await context.config();
      const warden = await openWarden(loaded, { actor: context.actor, sync: openOptions.sync, env });
      try {
        return await action(warden);
      } finally {
        await warden.close();
      }
    },
  };
  const setExitCode = (code: number): void => {
    exitCode = code;
  };

  program
    .command('serve')
    .description('start the gateway (HTTP) and serve until SIGTERM or SIGINT')
    .option('--host <host>', 'address to listen on (default: server.host)')
    .option('--port <port>', 'port to listen on (default: server.port)', parsePort)
    .action(async (commandOptions: { host?: string; port?: number }) => {
      const loaded = await context.config();
      const logger = createLogger({ level: loaded.config.logging.level });
      const server = await startServer(loaded, {
        logger,
        env,
        ...(commandOptions.host === undefined ? {} : { host: commandOptions.host }),
        ...(commandOptions.port === undefined ? {} : { port: commandOptions.port }),
      });
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          server.stop(signal).then(resolve, (error: unknown) => {
            logger.error({ err: error }, 'stopping failed');
            setExitCode(1);
            resolve();
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      logger.flush();
    });

  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration (types, unknown keys, references, secrets) and print a summary')
    .action(async () => {
      const loaded = await context.config();
      output.line(summarizeConfig(loaded));
      output.line('configuration is valid');
    });

  registerAgentCommands(program, context);
  registerKeyCommands(program, context);
  registerAuditCommands(program, context, setExitCode);
  registerPolicyCommands(program, context, setExitCode);
  registerWrapCommand(program, context);
  registerDemoCommand(program, context, setExitCode);
  registerApprovalCommands(program, context, setExitCode);
  registerAdminCommands(program, context);
  registerScanCommand(program, context, setExitCode);
  registerLockdownCommand(program, context);
  registerIncidentCommands(program, context, setExitCode);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    printError(output, error);
    return error instanceof WardenError && error.code === 'WARDEN_USAGE' ? 2 : 1;
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WardenError('WARDEN_USAGE', `--port must be a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
