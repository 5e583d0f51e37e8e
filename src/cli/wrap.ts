/** `warden wrap`: run one local stdio MCP server behind Warden, for desktop MCP clients. */
import type { Command } from 'commander';
import type { LoadedConfig, ServerConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import { serveStdio } from '../fronts/stdio/index.js';
import { createLogger, openWarden } from '../server/index.js';
import type { CommandContext } from './program.js';

const VERSION = '0.1.0';

export function registerWrapCommand(program: Command, context: CommandContext): void {
  program
    .command('wrap')
    .description(
      'serve one stdio MCP server to a desktop client over stdio, with policy, rate limits and audit (logs go to stderr)',
    )
    .requiredOption('--agent <name>', 'the agent the local client acts as')
    .option(
      '--server <name>',
      'the servers.<name> entry whose tool declarations apply (default: the only one)',
    )
    .argument('<command...>', 'the stdio MCP server to run, after --')
    .action(async (command: string[], options: { agent: string; server?: string }) => {
      const { loaded, server } = withWrappedServer(await context.config(), options.server, command);
      const logger = createLogger({ level: loaded.config.logging.level, toStderr: true });
      const warden = await openWarden(loaded, {
        actor: context.actor,
        sync: true,
        gateway: true,
        upstreams: [server],
        env: context.env,
        logger,
        onBackgroundError: (error) => logger.error({ err: error }, 'audit checkpoint failed'),
      });
      try {
        const gateway = warden.gateway;
        if (gateway === null) throw new WardenError('WARDEN_INTERNAL', 'the gateway services did not open');
        const agent = await warden.agents.get(options.agent);
        if (agent.status === 'suspended') {
          throw new WardenError(
            'WARDEN_AGENT_SUSPENDED',
            `agent "${agent.name}" is suspended (${agent.suspendedReason ?? 'no reason given'}); resume it with \`warden agents resume ${agent.name}\``,
          );
        }
        await gateway.catalog.start();
        for (const status of gateway.catalog.status()) {
          if (status.state !== 'ready') {
            logger.warn(
              { server: status.server, error: status.lastError },
              'the wrapped server is not ready yet; retrying',
            );
          }
        }
        warden.audit.start();
        const wrap = await serveStdio({
          pipeline: gateway.pipeline,
          audit: warden.audit,
          agent,
          version: VERSION,
        });
        logger.info(
          { agent: agent.name, server: Object.keys(loaded.config.servers)[0] },
          'warden wrap serving on stdio',
        );
        await new Promise<void>((resolveStop) => {
          const stop = (): void => resolveStop();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          void wrap.closed.then(stop);
        });
        await wrap.close();
      } finally {
        await warden.close();
        logger.flush();
      }
    });
}

/** The config with only the wrapped server, its command replaced by the one given on the command line. */
function withWrappedServer(
  loaded: LoadedConfig,
  serverName: string | undefined,
  command: string[],
): { loaded: LoadedConfig; server: string } {
  const servers = loaded.config.servers;
  const names = Object.keys(servers);
  const name = serverName ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new WardenError(
      'WARDEN_USAGE',
      names.length === 0
        ? 'the config declares no servers; add servers.<name> with the tools the wrapped server offers (undeclared tools are never exposed)'
        : `choose which server entry declares the wrapped server's tools with --server (one of: ${names.join(', ')})`,
    );
  }
  const entry: ServerConfig | undefined = servers[name];
  if (entry === undefined) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--server ${name} is not in the config (servers: ${names.join(', ') || 'none'})`,
    );
  }
  const [program, ...args] = command;
  if (program === undefined || program === '') {
    throw new WardenError(
      'WARDEN_USAGE',
      'give the server command after --, e.g. warden wrap --agent me -- npx my-mcp-server',
    );
  }
  const wrapped: ServerConfig = {
    transport: 'stdio',
    command: program,
    args,
    env: entry.transport === 'stdio' ? entry.env : {},
    ...(entry.transport === 'stdio' && entry.cwd !== undefined ? { cwd: entry.cwd } : {}),
    tools: entry.tools,
    timeout: entry.timeout,
    maxResultBytes: entry.maxResultBytes,
    ...(entry.description === undefined ? {} : { description: entry.description }),
  };
  return {
    loaded: { ...loaded, config: { ...loaded.config, servers: { ...servers, [name]: wrapped } } },
    server: name,
  };
}
