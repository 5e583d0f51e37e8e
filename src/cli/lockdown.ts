/**
 * `warden lockdown`: suspend every agent at once (except those named), show the lockdown in force, and
 * lift it. The lockdown lives in the store, so running servers refuse the suspended agents' next calls
 * and close their sessions within a second.
 */
import type { Command } from 'commander';
import { WardenError } from '../core/index.js';
import type { CommandContext } from './program.js';

interface LockdownOptions {
  except?: string[];
  reason?: string;
  lift?: boolean;
  status?: boolean;
  json?: boolean;
}

export function registerLockdownCommand(program: Command, context: CommandContext): void {
  const { output } = context;
  program
    .command('lockdown')
    .description('suspend every agent at once (kill switch); --lift resumes the agents it suspended')
    .option('--except <name...>', 'agents to leave running (repeatable)')
    .option('--reason <text>', 'why (shown to every suspended agent and recorded); required to start one')
    .option('--lift', 'lift the lockdown: resume the agents it suspended (others stay as they are)')
    .option('--status', 'show whether a lockdown is in force')
    .option('--json', 'print JSON')
    .action(async (options: LockdownOptions) => {
      const modes = [options.lift === true, options.status === true].filter(Boolean).length;
      if (modes > 1) throw new WardenError('WARDEN_USAGE', 'give either --lift or --status, not both');
      if (modes === 1 && (options.except !== undefined || options.reason !== undefined)) {
        throw new WardenError(
          'WARDEN_USAGE',
          '--except and --reason start a lockdown; they cannot be combined with --lift or --status',
        );
      }
      if (options.status === true) {
        await context.withWarden({ sync: false }, async (warden) => {
          const state = await warden.agents.lockdownState();
          if (options.json === true) {
            output.json(state);
          } else if (state.active) {
            output.line(
              `lockdown in force since ${state.since ?? '?'} by ${state.by ?? '?'}: ${state.reason ?? ''}` +
                (state.except.length > 0 ? ` (left running: ${state.except.join(', ')})` : ''),
            );
          } else {
            output.line('no lockdown in force');
          }
        });
        return;
      }
      if (options.lift === true) {
        await context.withWarden({ sync: false }, async (warden) => {
          const wasActive = (await warden.agents.lockdownState()).active;
          const result = await warden.agents.liftLockdown({ actor: context.actor });
          if (options.json === true) {
            output.json({ lifted: wasActive, ...result });
            return;
          }
          output.line(wasActive ? 'lockdown lifted' : 'no lockdown was in force');
          output.line(
            result.resumed.length > 0
              ? `resumed: ${result.resumed.join(', ')}`
              : 'no agent was waiting for the lockdown to be lifted',
          );
          if (result.interruptedBy !== undefined) {
            output.line(
              `stopped: a newer lockdown (${result.interruptedBy}) is in force and keeps the other agents suspended`,
            );
          }
        });
        return;
      }
      const reason = options.reason?.trim() ?? '';
      if (reason === '') {
        throw new WardenError(
          'WARDEN_USAGE',
          '--reason must say why every agent is being suspended (e.g. --reason "incident 42: data leak suspected")',
        );
      }
      // Config agents are synced first, so an agent only in the config is locked down too.
      await context.withWarden({ sync: true }, async (warden) => {
        const result = await warden.agents.lockdown({
          actor: context.actor,
          reason,
          except: options.except ?? [],
        });
        if (options.json === true) {
          output.json(result);
        } else {
          output.line(
            result.alreadyInForce
              ? `a lockdown was already in force (${result.lockdown}); its remaining agents were suspended`
              : `lockdown started (${result.lockdown}): ${reason}`,
          );
          output.line(
            result.suspended.length > 0
              ? `suspended: ${result.suspended.join(', ')}`
              : 'no active agent to suspend',
          );
          if ((options.except ?? []).length > 0 && !result.alreadyInForce)
            output.line(`left running: ${(options.except ?? []).join(', ')}`);
          for (const failure of result.failed) {
            output.error(`could not suspend ${failure.agent}: ${failure.code}: ${failure.message}`);
          }
          output.line('lift it with `warden lockdown --lift`');
        }
        if (result.failed.length > 0) {
          throw new WardenError(
            'WARDEN_LOCKDOWN_INCOMPLETE',
            `the lockdown is in force and refuses every non-excepted agent, but ${result.failed.length} step(s) failed (listed above); fix the cause (see the codes) and run \`warden lockdown --reason ...\` again to complete it`,
            { failed: result.failed.length },
          );
        }
      });
    });
}
