/** Runs the `warden` CLI in-process, as `bin/warden` would, and captures what it prints. */
import type { Output } from '../../src/cli/output.js';
import { run } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An Output that keeps what a command prints; `result(code)` pairs it with the exit code. */
export function capturedOutput(): { output: Output; result: (code: number) => CliResult } {
  let stdout = '';
  let stderr = '';
  const output: Output = {
    line: (text = '') => (stdout += `${text}\n`),
    json: (value) => (stdout += `${JSON.stringify(value)}\n`),
    error: (text) => (stderr += `${text}\n`),
  };
  return { output, result: (code) => ({ code, stdout, stderr }) };
}

/** `warden ARGS...` with `env` as its environment; exit code and printed text. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const { output, result } = capturedOutput();
  return result(await run([...args], { output, env }));
}
