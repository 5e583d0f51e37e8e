/** Runs the `warden` CLI in-process, as `bin/warden` would, and captures what it prints. */
import type { Output } from '../../src/cli/output.js';
import { run } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `warden ARGS...` with `env` as its environment; exit code and printed text. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const output: Output = {
    line: (text = '') => (stdout += `${text}\n`),
    json: (value) => (stdout += `${JSON.stringify(value)}\n`),
    error: (text) => (stderr += `${text}\n`),
  };
  const code = await run([...args], { output, env });
  return { code, stdout, stderr };
}
