/**
 * `warden admins ...`: make the credential hashes that go under `admins` in the config, and list the
 * admin users. Passwords and keys are read from standard input (without echo on a terminal), never
 * from the command line, where they would land in shell history and process listings.
 */
import type { Command } from 'commander';
import { AdminDirectory, generateAdminApiKey, hashAdminCredential } from '../admin/index.js';
import { NAME_PATTERN, WardenError } from '../core/index.js';
import { MAX_SECRET_LENGTH } from '../identity/index.js';
import { table } from './output.js';
import type { CommandContext } from './program.js';

/** Where `warden admins hash` reads from and prompts on (process stdin and stderr by default). */
export interface AdminCommandStreams {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  prompt: NodeJS.WritableStream;
}

/** Most bytes read from a non-terminal standard input. */
const MAX_INPUT_BYTES = 64 * 1024;

export function registerAdminCommands(
  program: Command,
  context: CommandContext,
  streams: AdminCommandStreams = { stdin: process.stdin, prompt: process.stderr },
): void {
  const { output } = context;
  const admins = program.command('admins').description('admin users: the people who decide approvals');

  admins
    .command('hash')
    .description(
      'read a password or API key from standard input (no echo on a terminal) and print the scrypt hash to put in the config',
    )
    .action(async () => {
      const value = await readCredential(streams);
      output.line(await hashAdminCredential(value));
    });

  admins
    .command('new-key')
    .description('make a new admin API key (shown once) and print its hash with the config lines to paste')
    .argument('<name>', 'the admin user (a key under admins in the config)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      if (!NAME_PATTERN.test(name)) {
        throw new WardenError(
          'WARDEN_USAGE',
          `"${name.slice(0, 64)}" is not a valid admin user name: use lower-case letters, digits and dashes, starting with a letter`,
        );
      }
      const apiKey = generateAdminApiKey();
      const apiKeyHash = await hashAdminCredential(apiKey);
      if (options.json === true) {
        output.json({ name, apiKey, apiKeyHash });
        return;
      }
      output.line(`API key for admin user ${name} (shown once; keep it in your secret manager):`);
      output.line('');
      output.line(`  ${apiKey}`);
      output.line('');
      output.line('Add its hash to the config (it replaces any earlier key of this user):');
      output.line('');
      output.line('admins:');
      output.line(`  ${name}:`);
      output.line(`    apiKeyHash: '${apiKeyHash}'`);
      output.line('');
      output.line('then restart Warden. Use the key as "Authorization: Bearer <key>".');
    });

  admins
    .command('list')
    .description('list the admin users of the config with their roles, groups and sign-in methods')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { config } = await context.config();
      // Building the directory checks that every resolved hash is a scrypt hash.
      const directory = new AdminDirectory({ admins: config.admins });
      const rows = Object.entries(config.admins).map(([name, admin]) => ({
        name,
        email: admin.email,
        roles: admin.roles,
        groups: admin.groups,
        signIn: [
          ...(admin.apiKeyHash === undefined ? [] : ['api-key']),
          ...(admin.passwordHash === undefined ? [] : ['password']),
        ],
      }));
      if (options.json === true) {
        output.json(rows);
        return;
      }
      if (directory.list().length === 0) {
        output.line(
          'no admin users; add one under admins in the config, with a hash from `warden admins new-key NAME` or `warden admins hash`',
        );
        return;
      }
      output.line(
        table([
          ['NAME', 'EMAIL', 'ROLES', 'GROUPS', 'SIGN-IN'],
          ...rows.map((row) => [
            row.name,
            row.email,
            row.roles.join(','),
            row.groups.join(','),
            row.signIn.join(','),
          ]),
        ]),
      );
    });
}

/** Reads the credential: hidden and asked twice on a terminal, else the whole input less one final newline. */
async function readCredential(streams: AdminCommandStreams): Promise<string> {
  const input = streams.stdin as NodeJS.ReadStream;
  let value: string;
  if (input.isTTY === true && typeof input.setRawMode === 'function') {
    const first = await readHidden(input, streams.prompt, 'Password or API key: ');
    const second = await readHidden(input, streams.prompt, 'Again, to confirm: ');
    if (first !== second) {
      throw new WardenError('WARDEN_USAGE', 'the two entries differ; run `warden admins hash` again');
    }
    value = first;
  } else {
    value = await readAll(streams.stdin);
    value = value.endsWith('\r\n') ? value.slice(0, -2) : value.endsWith('\n') ? value.slice(0, -1) : value;
  }
  if (value.length === 0) {
    throw new WardenError(
      'WARDEN_USAGE',
      'nothing to hash: type the password (or pipe it in, e.g. `warden admins hash < password.txt`); for an API key run `warden admins new-key NAME`',
    );
  }
  if (value.length > MAX_SECRET_LENGTH) {
    throw new WardenError(
      'WARDEN_USAGE',
      `a password or API key must be at most ${MAX_SECRET_LENGTH} characters long`,
    );
  }
  return value;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) {
      throw new WardenError(
        'WARDEN_USAGE',
        `standard input is longer than ${MAX_INPUT_BYTES} bytes; pipe in only the password or key`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from a terminal in raw mode, echoing nothing; Ctrl-C or Ctrl-D cancels. */
function readHidden(
  input: NodeJS.ReadStream,
  prompt: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  prompt.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error: WardenError | null): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      prompt.write('\n');
      if (error === null) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n') return finish(null);
        if (character === '\u0003' || character === '\u0004') {
          return finish(new WardenError('WARDEN_USAGE', 'cancelled; nothing was hashed'));
        }
        if (character === '\u007f' || character === '\b') value = [...value].slice(0, -1).join('');
        else if (value.length <= MAX_SECRET_LENGTH) value += character;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
