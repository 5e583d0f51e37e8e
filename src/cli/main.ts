#!/usr/bin/env node
/** The `warden` command. Parses arguments and delegates; every rule lives in the services. */
import { run } from './program.js';

// `warden audit export | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
