#!/usr/bin/env node
// `npm start`: the demo mail server over Streamable HTTP (127.0.0.1:9101, as examples/warden.yaml
// expects), then `warden serve --config examples/warden.yaml`. The other demo upstreams are stdio
// servers the gateway starts itself. Ctrl-C or SIGTERM stops both.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const examples = dirname(fileURLToPath(import.meta.url));
const root = dirname(examples);

const mail = spawn(
  process.execPath,
  [
    join(examples, 'servers', 'mail.js'),
    '--http',
    '9101',
    '--token-file',
    join(examples, 'secrets', 'mail-token'),
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const warden = spawn(
  process.execPath,
  [
    join(root, 'dist', 'cli', 'main.js'),
    'serve',
    '--config',
    join(examples, 'warden.yaml'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  warden.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
mail.on('exit', (code) => {
  if (!stopping)
    console.error(`demo mail server exited (${code}); the gateway keeps serving the other upstreams`);
});
warden.on('exit', (code, signal) => {
  mail.kill('SIGTERM');
  process.exitCode = code ?? (signal ? 1 : 0);
});
