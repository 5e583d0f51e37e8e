/**
 * `warden approvals ...`: list, show, approve and deny tool calls held for a person's approval, from
 * the command line. The approval service applies the same rules as for the admin API (eligibility,
 * separation of duties, audit records); `--as NAME` decides as a configured admin user.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { AdminDirectory, toDecider } from '../admin/index.js';
import type { ApprovalView, Decider } from '../approvals/types.js';
import type { ResolvedConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import type { ApprovalStatus } from '../store/index.js';
import { table } from './output.js';
import type { CommandContext } from './program.js';

const STATUSES: readonly ApprovalStatus[] = [
  'pending',
  'approved',
  'denied',
  'expired',
  'executing',
  'executed',
  'failed',
];
const ID_PATTERN = /^apr_[A-Za-z0-9_-]{1,64}$/;
const MAX_REASON_LENGTH = 2000;

export function registerApprovalCommands(
  program: Command,
  context: CommandContext,
  // Failures are thrown (exit 1); kept for the same shape as the other command groups.
  _setExitCode: (code: number) => void,
): void {
  const { output } = context;
  const approvals = program
    .command('approvals')
    .description('tool calls held for a person’s approval: list, show, approve, deny');

  approvals
    .command('list')
    .description('list requests, newest first')
    .addOption(new Option('--status <status>', 'only requests in this status').choices([...STATUSES]))
    .option('--limit <n>', 'at most this many (1 to 1000)', parseLimit, 100)
    .option('--json', 'print JSON')
    .action(async (options: { status?: ApprovalStatus; limit: number; json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const list = await warden.approvals.list({
          ...(options.status === undefined ? {} : { statuses: [options.status] }),
          limit: options.limit,
        });
        if (options.json === true) {
          output.json(list);
          return;
        }
        if (list.length === 0) {
          output.line(
            options.status === undefined ? 'no approval requests' : `no ${options.status} approval requests`,
          );
          return;
        }
        output.line(
          table([
            ['ID', 'STATUS', 'AGENT', 'TOOL', 'RISK', 'APPROVALS', 'REQUESTED', 'EXPIRES'],
            ...list.map((view) => [
              view.id,
              view.status,
              view.agent,
              view.tool,
              view.risk,
              `${view.approvals}/${view.required}`,
              view.requestedAt,
              view.expiresAt,
            ]),
          ]),
        );
      });
    });

  approvals
    .command('show')
    .description('show one request (arguments redacted; --reveal shows them as sent, and is recorded)')
    .argument('<id>', 'the request id, apr_...')
    .option('--reveal', 'show the raw arguments (roles in approvals.revealRoles; recorded in the audit log)')
    .option('--as <admin>', 'act as this admin user of the config (their roles apply)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { reveal?: boolean; as?: string; json?: boolean }) => {
      checkId(id);
      await context.withWarden({ sync: options.reveal === true }, async (warden) => {
        const decider = deciderFor(context, warden.config, options.as);
        const view = await warden.approvals.view(id);
        const revealed = options.reveal === true ? await warden.approvals.reveal(id, decider) : null;
        const record = await warden.approvals.get(id);
        const eligibility =
          view.status !== 'pending'
            ? { ok: false as const, reason: `it is ${view.status}, no longer pending` }
            : record === null
              ? { ok: false as const, reason: 'it no longer exists' }
              : warden.approvals.eligibility(record, decider);
        if (options.json === true) {
          output.json({
            ...view,
            ...(revealed === null ? {} : { arguments: revealed, argumentsRevealed: true }),
            canDecide: eligibility.ok,
            cannotDecideReason: eligibility.ok ? null : eligibility.reason,
          });
          return;
        }
        output.line(describeApproval(view, revealed));
        output.line('');
        output.line(
          eligibility.ok
            ? `${decider.actor} may decide it: \`warden approvals approve ${id} --reason TEXT\` or \`deny\``
            : `${decider.actor} may not decide it: ${eligibility.reason}`,
        );
      });
    });

  for (const decision of ['approve', 'deny'] as const) {
    approvals
      .command(decision)
      .description(
        decision === 'approve'
          ? 'approve a pending request (it is approved once it has the approvals it requires)'
          : 'deny a pending request (one denial is enough; the agent is told the reason)',
      )
      .argument('<id>', 'the request id, apr_...')
      .requiredOption('--reason <text>', 'why (recorded in the audit log; shown to the agent on a denial)')
      .option('--as <admin>', 'decide as this admin user of the config (their email, roles and groups apply)')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { reason: string; as?: string; json?: boolean }) => {
        checkId(id);
        checkReason(options.reason);
        await context.withWarden({ sync: true }, async (warden) => {
          const decider = deciderFor(context, warden.config, options.as);
          const view = await warden.approvals.decide(id, decider, decision, options.reason);
          if (options.json === true) {
            output.json(view);
            return;
          }
          output.line(outcomeLine(view, decider, decision));
        });
      });
  }
}

/**
 * Who decides: `--as NAME` is that admin user of the config (so separation of duties and groups apply
 * to them); otherwise `cli:<os user>` with the admin role, no email and no groups.
 */
function deciderFor(context: CommandContext, config: ResolvedConfig, as: string | undefined): Decider {
  if (as === undefined) {
    return { actor: context.actor, email: null, roles: ['admin'], groups: [] };
  }
  const principal = new AdminDirectory({ admins: config.admins }).get(as);
  if (principal === null) {
    const names = Object.keys(config.admins);
    throw new WardenError(
      'WARDEN_USAGE',
      `--as "${as.slice(0, 64)}" is not an admin user of the config; ${names.length === 0 ? 'none are defined (see admins in the config)' : `they are: ${names.join(', ')}`}`,
    );
  }
  // The CLI holds no credential of that person: the record says who really acted, and for whom.
  const decider = toDecider(principal);
  return { ...decider, actor: `${context.actor} as ${decider.actor}` };
}

function outcomeLine(view: ApprovalView, decider: Decider, decision: 'approve' | 'deny'): string {
  if (decision === 'deny') return `denied ${view.id} (${view.agent} → ${view.tool}) as ${decider.actor}`;
  if (view.status === 'approved') {
    return `approved ${view.id} (${view.agent} → ${view.tool}) as ${decider.actor}; the agent may now run the call until ${view.expiresAt}`;
  }
  return `recorded the approval of ${decider.actor} on ${view.id}: ${view.approvals} of ${view.required} needed`;
}

function describeApproval(view: ApprovalView, revealed: object | null): string {
  const rows: string[][] = [
    ['id', view.id],
    ['status', view.status],
    ['agent', `${view.agent} (owner ${view.agentOwner})`],
    ['tool', `${view.tool} (risk ${view.risk})`],
    ['reason', view.reason],
    ['policies', view.policyIds.join(', ')],
    ['approvals', `${view.approvals} of ${view.required}`],
    ['groups', view.groups.length === 0 ? 'any approver' : view.groups.join(', ')],
    ['labels', view.labels.join(', ')],
    ['session', view.sessionId ?? '-'],
    ['requested', view.requestedAt],
    ['expires', view.expiresAt],
    ['escalation', view.escalated ? 'escalated' : (view.escalateAt ?? '-')],
    ['decided', view.decidedAt ?? '-'],
    ['executed', view.executedAt ?? '-'],
  ];
  for (const vote of view.votes) {
    rows.push(['vote', `${vote.decision} by ${vote.by} at ${vote.at}: ${vote.reason}`]);
  }
  for (const call of view.recentCalls) rows.push(['earlier call', JSON.stringify(call)]);
  const argumentsText =
    revealed === null
      ? `arguments (redacted; --reveal shows them as sent):\n${JSON.stringify(view.arguments, null, 2)}`
      : `arguments (as sent; this reveal is recorded):\n${JSON.stringify(revealed, null, 2)}`;
  return `${table(rows)}\n\n${argumentsText}`;
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) {
    throw new WardenError(
      'WARDEN_USAGE',
      `"${id.slice(0, 80)}" is not an approval id; ids look like apr_... (see \`warden approvals list\`)`,
    );
  }
}

function checkReason(reason: string): void {
  if (reason.trim() === '' || reason.length > MAX_REASON_LENGTH) {
    throw new WardenError(
      'WARDEN_USAGE',
      `--reason must say why, in 1 to ${MAX_REASON_LENGTH} characters; it is recorded and shown to the agent's owner`,
    );
  }
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new WardenError('WARDEN_USAGE', `--limit must be a whole number from 1 to 1000, not "${value}"`);
  }
  return limit;
}
