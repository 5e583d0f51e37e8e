/** Terminal output for the CLI: plain text for people, `--json` for scripts, errors on stderr. */
import { isWardenError } from '../core/index.js';

export interface Output {
  line(text?: string): void;
  json(value: unknown): void;
  error(text: string): void;
}

export const processOutput: Output = {
  line: (text = '') => process.stdout.write(`${text}\n`),
  json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
};

/** Prints an error the way a person can act on it: code, message, and any listed issues. */
export function printError(output: Output, error: unknown): void {
  if (isWardenError(error)) {
    output.error(`error ${error.code}: ${error.message}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  output.error(`error WARDEN_INTERNAL: ${message}`);
}

/** Renders rows as aligned columns. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
