/**
 * `warden scan FILE|-`: runs Warden's detectors and injection scorer over a file or stdin and shows
 * what they find, with values masked. Works without a configuration file and never opens the store.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { Option } from 'commander';
import { WardenError, isWardenError } from '../core/index.js';
import {
  DEFAULT_SCAN_LIMITS,
  FINDING_TYPES,
  Scanner,
  createInjectionScorer,
  defaultDetectors,
} from '../inspect/index.js';
import type { FindingType, LocatedFinding, ScanLimits, ScanResult } from '../inspect/index.js';
import { printError, table } from './output.js';
import type { CommandContext } from './program.js';

/** Largest input `warden scan` reads. */
export const MAX_SCAN_INPUT_BYTES = 64 * 1024 * 1024;

/** Stars shown at most in a preview, so the preview does not give away a long value's length. */
const MAX_PREVIEW_STARS = 12;
const MAX_PATH_SHOWN = 80;

/** The inspection settings a scan runs with: the configuration's, or the defaults without one. */
interface ScanSettings {
  limits: ScanLimits;
  minConfidence: number;
  ignore: FindingType[];
  threshold: number;
  /** The configuration file they came from, or null for the defaults. */
  config: string | null;
}

/** Defaults of the `inspection` section of warden.yaml (src/config/schema.ts), for runs without a file. */
const DEFAULT_SETTINGS: ScanSettings = {
  limits: DEFAULT_SCAN_LIMITS,
  minConfidence: 0.5,
  ignore: [],
  threshold: 0.5,
  config: null,
};

interface ScanCommandOptions {
  json?: boolean;
  kind: 'prompt' | 'tool_output';
  preview: boolean;
  list?: boolean;
}

/** Registers `warden scan`. Exit codes: 0 nothing found, 1 something found, 2 an error. */
export function registerScanCommand(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
): void {
  const { output } = context;
  program
    .command('scan')
    .description(
      'find personal data, secrets and prompt injection in a file or stdin (-), as the gateway would',
    )
    .argument('[file]', 'file to scan, or - for stdin (at most 64 MiB); JSON is walked value by value')
    .addOption(
      new Option('--kind <kind>', 'what the content is, for the injection scorer')
        .choices(['prompt', 'tool_output'])
        .default('tool_output'),
    )
    .option('--no-preview', 'do not show masked previews of the values found')
    .option('--json', 'print JSON')
    .option('--list', 'list the detectors and the finding types they report')
    .addHelpText(
      'after',
      [
        '',
        'Uses the inspection settings (limits, minConfidence, ignore, injection threshold) of the',
        'configuration when one is found, else the defaults; it never opens the store.',
        '',
        'Exit status:',
        '  0  nothing found',
        '  1  something found: a finding, or an injection score at or above the threshold',
        '  2  an error: unreadable input, a bad option, an invalid configuration, or a scan',
        '     refused by a limit (WARDEN_INSPECTION_FAILED)',
      ].join('\n'),
    )
    .action(async (file: string | undefined, options: ScanCommandOptions) => {
      try {
        const scanner = new Scanner(defaultDetectors(), createInjectionScorer());
        if (options.list === true) {
          listDetectors(context, scanner, options);
          return;
        }
        if (file === undefined) {
          throw new WardenError('WARDEN_USAGE', 'Name a file to scan, or - to read stdin (or use --list).');
        }
        const settings = await scanSettings(context, program);
        const input = await readInput(file);
        if (input.invalidUtf8 && options.json !== true) {
          output.error(
            `warning: ${describeInput(file)} is not valid UTF-8; invalid bytes were replaced with U+FFFD`,
          );
        }
        const parsed = parseJson(input.text);
        const scanOptions = {
          limits: settings.limits,
          minConfidence: settings.minConfidence,
          ignoreTypes: settings.ignore,
          kind: options.kind,
        };
        const result =
          parsed === undefined
            ? scanner.scanText(input.text, scanOptions)
            : scanner.scanValue(parsed, scanOptions);
        const root = parsed ?? input.text;
        const found = result.findings.length > 0 || result.injectionScore >= settings.threshold;
        if (options.json === true) {
          output.json(
            jsonReport(file, input.invalidUtf8, parsed !== undefined, options, settings, result, root),
          );
        } else {
          printReport(context, result, root, options, settings);
        }
        setExitCode(found ? 1 : 0);
      } catch (error) {
        printError(output, error);
        setExitCode(2);
      }
    });
}

/** The configuration's inspection settings; the defaults when no configuration file was asked for or found. */
async function scanSettings(context: CommandContext, program: Command): Promise<ScanSettings> {
  const explicit =
    program.opts<{ config?: string }>().config !== undefined || context.env.WARDEN_CONFIG !== undefined;
  let loaded;
  try {
    loaded = await context.config();
  } catch (error) {
    if (!explicit && isWardenError(error, 'WARDEN_CONFIG_NOT_FOUND')) return DEFAULT_SETTINGS;
    throw error;
  }
  const { inspection } = loaded.config;
  return {
    limits: {
      ...DEFAULT_SCAN_LIMITS,
      maxStringLength: inspection.limits.maxStringLength,
      maxTotalLength: inspection.limits.maxTotalLength,
      maxDepth: inspection.limits.maxDepth,
      timeBudgetMs: inspection.limits.timeBudget * 1000,
    },
    minConfidence: inspection.minConfidence,
    ignore: inspection.ignore.filter((type): type is FindingType => Object.hasOwn(FINDING_TYPES, type)),
    threshold: inspection.injection.threshold,
    config: loaded.path,
  };
}

/** Reads at most MAX_SCAN_INPUT_BYTES from a file or stdin and decodes it as UTF-8 (with replacement). */
async function readInput(file: string): Promise<{ text: string; invalidUtf8: boolean }> {
  const stream: Readable = file === '-' ? process.stdin : createReadStream(file);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > MAX_SCAN_INPUT_BYTES) {
        throw new WardenError(
          'WARDEN_USAGE',
          `${describeInput(file)} is larger than ${MAX_SCAN_INPUT_BYTES / 1024 / 1024} MiB, the most \`warden scan\` reads; scan it in parts.`,
          { limit: MAX_SCAN_INPUT_BYTES },
        );
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (isWardenError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot be read (${code ?? 'unknown error'})`;
    throw new WardenError('WARDEN_USAGE', `${describeInput(file)} ${reason}.`, { file });
  } finally {
    if (file !== '-') stream.destroy();
  }
  const bytes = Buffer.concat(chunks, size);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalidUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), invalidUtf8: true };
  }
}

/** The parsed input when it is a JSON object or array; anything else is scanned as text. */
function parseJson(text: string): object | undefined {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function printReport(
  context: CommandContext,
  result: ScanResult,
  root: unknown,
  options: ScanCommandOptions,
  settings: ScanSettings,
): void {
  const { output } = context;
  if (result.findings.length > 0) {
    const header = [
      'TYPE',
      'PATH',
      'OFFSETS',
      'CONFIDENCE',
      'DETECTOR',
      ...(options.preview ? ['PREVIEW'] : []),
    ];
    const rows = result.findings.map((finding) => [
      finding.type,
      finding.path === '' ? '-' : printable(finding.path, MAX_PATH_SHOWN),
      `${finding.start}-${finding.end}`,
      finding.confidence.toFixed(2),
      finding.detector,
      ...(options.preview ? [preview(valueOf(root, finding))] : []),
    ]);
    output.line(table([header, ...rows]));
  }
  const count = result.findings.length;
  output.line(
    `${count === 0 ? 'nothing found' : `${count} ${count === 1 ? 'finding' : 'findings'}`} in ${result.strings} ${result.strings === 1 ? 'string' : 'strings'} (${result.length} characters, ${result.durationMs.toFixed(1)} ms)`,
  );
  const score = result.injectionScore.toFixed(3);
  output.line(
    `injection score ${score} (threshold ${settings.threshold}${result.injectionScore >= settings.threshold ? ': likely a prompt injection' : ''})`,
  );
  output.line(
    settings.config === null
      ? 'settings: defaults (no configuration file found)'
      : `settings: inspection section of ${settings.config}`,
  );
}

function jsonReport(
  file: string,
  invalidUtf8: boolean,
  isJson: boolean,
  options: ScanCommandOptions,
  settings: ScanSettings,
  result: ScanResult,
  root: unknown,
): Record<string, unknown> {
  return {
    input: file,
    format: isJson ? 'json' : 'text',
    kind: options.kind,
    invalidUtf8,
    config: settings.config,
    findings: result.findings.map((finding) => ({
      type: finding.type,
      category: FINDING_TYPES[finding.type].category,
      path: finding.path,
      start: finding.start,
      end: finding.end,
      confidence: finding.confidence,
      detector: finding.detector,
      ...(options.preview ? { preview: preview(valueOf(root, finding)) } : {}),
    })),
    injectionScore: Math.round(result.injectionScore * 1000) / 1000,
    injectionThreshold: settings.threshold,
    injection: result.injectionScore >= settings.threshold,
    strings: result.strings,
    length: result.length,
    durationMs: Math.round(result.durationMs * 1000) / 1000,
  };
}

function listDetectors(context: CommandContext, scanner: Scanner, options: ScanCommandOptions): void {
  const detectors = scanner.detectors.map((detector) => ({
    name: detector.name,
    category: detector.category,
    types: [...detector.types],
  }));
  if (options.json === true) {
    context.output.json({ detectors, injectionScorer: scanner.scoresInjection });
    return;
  }
  context.output.line(
    table([
      ['DETECTOR', 'CATEGORY', 'TYPES'],
      ...detectors.map((detector) => [detector.name, detector.category, detector.types.join(', ')]),
      ...(scanner.scoresInjection
        ? [['injection scorer', 'injection', 'score 0..1 with rule findings']]
        : []),
    ]),
  );
}

/** The text a finding covers. */
function valueOf(root: unknown, finding: LocatedFinding): string {
  let current = root;
  if (finding.path !== '') {
    for (const key of finding.path.slice(1).split('/')) {
      current = (current as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
  }
  return typeof current === 'string' ? current.slice(finding.start, finding.end) : '';
}

/** The value masked except its first and last character; values of 1-2 characters are all masked. */
function preview(value: string): string {
  const characters = Array.from(value);
  if (characters.length <= 2) return '*'.repeat(characters.length);
  const stars = '*'.repeat(Math.min(characters.length - 2, MAX_PREVIEW_STARS));
  return `${printable(characters[0] as string)}${stars}${printable(characters.at(-1) as string)}`;
}

/**
 * Text safe to print on a terminal: control, format (bidi, zero-width), surrogate and private-use
 * characters become `?`, so scanned content cannot move the cursor or hide itself.
 */
function printable(text: string, maxLength = Infinity): string {
  const safe = text.replace(/\p{C}/gu, '?');
  return safe.length > maxLength ? `${safe.slice(0, maxLength - 1)}…` : safe;
}

function describeInput(file: string): string {
  return file === '-' ? 'stdin' : `"${printable(file, 200)}"`;
}
