#!/usr/bin/env node
/** The `warden` command. Parses arguments and delegates; every rule lives in the services. */
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2));
