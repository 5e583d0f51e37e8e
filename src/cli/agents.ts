/** `warden agents ...`: create, list, show, rotate-secret, suspend and resume agents. */
import type { Command } from 'commander';
import { WardenError } from '../core/index.js';
import { publicAgent } from '../identity/index.js';
import type { AgentRecord } from '../store/index.js';
import { table } from './output.js';
import type { CommandContext } from './program.js';

export function registerAgentCommands(program: Command, context: CommandContext): void {
  const { output } = context;
  const agents = program.command('agents').description('manage agent identities');

  agents
    .command('create')
    .description('create an agent and print its client secret (shown once)')
    .argument('<name>', 'agent name: lower-case letters, digits and dashes')
    .requiredOption('--role <role...>', 'role(s) from the config (repeatable)')
    .requiredOption('--owner <email>', 'the accountable person')
    .option('--clearance <class>', 'highest data class it may read (default: the lowest data class)')
    .option('--description <text>', 'what the agent is for')
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        options: { role: string[]; owner: string; clearance?: string; description?: string; json?: boolean },
      ) => {
        await context.withWarden({ sync: true }, async (warden) => {
          const clearance = options.clearance ?? warden.config.dataClasses[0]?.name ?? 'public';
          const { agent, secret } = await warden.agents.create({
            name,
            owner: options.owner,
            roles: options.role,
            clearance,
            ...(options.description === undefined ? {} : { description: options.description }),
            actor: context.actor,
          });
          if (options.json === true) {
            output.json({ agent: publicAgent(agent), clientSecret: secret });
            return;
          }
          output.line(`created agent ${agent.name} (${agent.id})`);
          printSecret(context, agent.name, secret);
        });
      },
    );

  agents
    .command('list')
    .description('list agents with their status, roles, owner and clearance')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const list = await warden.agents.list();
        if (options.json === true) {
          output.json(list.map(publicAgent));
          return;
        }
        if (list.length === 0) {
          output.line('no agents; create one with `warden agents create NAME --role R --owner EMAIL`');
          return;
        }
        output.line(
          table([
            ['NAME', 'STATUS', 'ROLES', 'CLEARANCE', 'OWNER', 'CREDENTIALS'],
            ...list.map((agent) => [
              agent.name,
              agent.status,
              agent.roles.join(','),
              agent.clearance,
              agent.owner,
              agent.secretHash === null ? 'no secret yet' : `generation ${agent.secretVersion}`,
            ]),
          ]),
        );
      });
    });

  agents
    .command('show')
    .description('show one agent')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const agent = await warden.agents.get(name);
        if (options.json === true) {
          output.json(publicAgent(agent));
          return;
        }
        output.line(describeAgent(agent));
      });
    });

  agents
    .command('rotate-secret')
    .description('issue a new client secret (shown once); tokens issued with the old one stop working')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await context.withWarden({ sync: true }, async (warden) => {
        const { agent, secret } = await warden.agents.rotateSecret(name, context.actor);
        if (options.json === true) {
          output.json({ agent: publicAgent(agent), clientSecret: secret });
          return;
        }
        output.line(`rotated the secret of ${agent.name}; tokens issued before now are refused`);
        printSecret(context, agent.name, secret);
      });
    });

  agents
    .command('suspend')
    .description('suspend an agent: its next call and token request are refused')
    .argument('<name>')
    .requiredOption('--reason <text>', 'why (shown to the agent and recorded)')
    .action(async (name: string, options: { reason: string }) => {
      if (options.reason.trim() === '') {
        throw new WardenError('WARDEN_USAGE', '--reason must say why the agent is suspended');
      }
      await context.withWarden({ sync: true }, async (warden) => {
        const agent = await warden.agents.suspend(name, { actor: context.actor, reason: options.reason });
        output.line(`suspended ${agent.name}: ${options.reason}`);
      });
    });

  agents
    .command('resume')
    .description('lift a suspension')
    .argument('<name>')
    .option('--reason <text>', 'why (recorded with agent-resumed)')
    .action(async (name: string, options: { reason?: string }) => {
      await context.withWarden({ sync: true }, async (warden) => {
        const agent = await warden.agents.resume(name, {
          actor: context.actor,
          ...(options.reason === undefined ? {} : { reason: options.reason }),
        });
        output.line(`resumed ${agent.name}`);
      });
    });
}

function printSecret(context: CommandContext, name: string, secret: string): void {
  context.output.line('');
  context.output.line(`client_id:     ${name}`);
  context.output.line(`client_secret: ${secret}`);
  context.output.line('');
  context.output.line('This secret is shown once and stored only as a hash. Keep it in your secret manager.');
}

function describeAgent(agent: AgentRecord): string {
  const rows: string[][] = [
    ['name', agent.name],
    ['id', agent.id],
    ['status', agent.status],
    ['owner', agent.owner],
    ['roles', agent.roles.join(', ')],
    ['clearance', agent.clearance],
    ['description', agent.description ?? ''],
    [
      'credentials',
      agent.secretHash === null
        ? 'no secret issued yet (`warden agents rotate-secret`)'
        : `generation ${agent.secretVersion} (moves on with each secret rotation and suspension), secret rotated ${agent.secretRotatedAt ?? '-'}`,
    ],
    ['source', agent.source],
    ['created', agent.createdAt],
    ['updated', agent.updatedAt],
  ];
  if (agent.status === 'suspended') {
    rows.push([
      'suspended',
      `${agent.suspendedAt ?? ''} by ${agent.suspendedBy ?? '?'}: ${agent.suspendedReason ?? ''}`,
    ]);
  }
  return table(rows);
}
