/** `warden keys ...`: list and rotate the signing keys (tokens and audit checkpoints). */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { KeyPurpose } from '../store/index.js';
import { table } from './output.js';
import type { CommandContext } from './program.js';

export function registerKeyCommands(program: Command, context: CommandContext): void {
  const { output } = context;
  const keys = program.command('keys').description('manage signing keys');

  keys
    .command('rotate')
    .description('make a new signing key; the old one still verifies until its tokens expire')
    .addOption(new Option('--purpose <purpose>', 'which key').choices(['token', 'audit']).default('token'))
    .action(async (options: { purpose: KeyPurpose }) => {
      await context.withWarden({ sync: true }, async (warden) => {
        const kid = await warden.keys.rotate(options.purpose, context.actor);
        output.line(`rotated the ${options.purpose} signing key; new key id ${kid}`);
      });
    });

  keys
    .command('list')
    .description('list signing keys (public parts only)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await context.withWarden({ sync: false }, async (warden) => {
        const records = [
          ...(await warden.store.keys.list('token')),
          ...(await warden.store.keys.list('audit')),
        ];
        const view = records.map((key) => ({
          kid: key.kid,
          purpose: key.purpose,
          algorithm: key.algorithm,
          status: key.status,
          createdAt: key.createdAt,
          retiredAt: key.retiredAt,
        }));
        if (options.json === true) {
          output.json(view);
          return;
        }
        output.line(
          table([
            ['KID', 'PURPOSE', 'STATUS', 'CREATED', 'RETIRED'],
            ...view.map((key) => [key.kid, key.purpose, key.status, key.createdAt, key.retiredAt ?? '']),
          ]),
        );
      });
    });
}
