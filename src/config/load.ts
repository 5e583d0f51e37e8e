/**
 * Loads warden.yaml: bounded read, strict YAML (no duplicate keys, no alias bombs), strict schema,
 * every problem reported at once with file:line:col, and secret references resolved without ever
 * putting a secret value into a message.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, isScalar, parseDocument, visit } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { WardenError, toWardenError } from '../core/index.js';
import { configSchema, SECRET_KEY_PATTERN, SECRET_REFERENCE_PATTERN } from './schema.js';
import type { WardenConfig } from './schema.js';
import { formatPath, issuesFromZod } from './issues.js';
import type { ConfigIssue } from './issues.js';
import { readBoundedText } from './read-bounded.js';
import { findReferences, resolveReferences } from './references.js';
import type { SecretReference, UnresolvedReference } from './references.js';
import { locate, positionOf } from './yaml-locate.js';
import type { SourceDocument } from './yaml-locate.js';

/** Largest configuration file Warden reads. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions allowed while building the configuration: enough for reuse, too few for a bomb. */
const MAX_ALIAS_COUNT = 25;

/** The configuration with references resolved and `server.publicUrl` always filled in. */
export type ResolvedConfig = WardenConfig & { server: WardenConfig['server'] & { publicUrl: string } };

/** A loaded configuration file. `secretValues` must never be logged; it exists so logs can be checked. */
export interface LoadedConfig {
  config: ResolvedConfig;
  /** Absolute path of the configuration file. */
  path: string;
  /** Directory of the configuration file. */
  baseDir: string;
  /** Every value a secret reference resolved to (distinct). Never log these. */
  secretValues: string[];
  /** Every reference that was resolved: kind, variable or file, field and line; never the value. */
  secretReferences: SecretReference[];
  /** True when `server.publicUrl` was not in the file and was derived from host and port. */
  publicUrlIsDefault: boolean;
}

export interface LoadConfigOptions {
  /** Path given with `--config`; wins over WARDEN_CONFIG and ./warden.yaml. */
  path?: string;
  /** Environment for WARDEN_CONFIG and `${env:...}` references; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths and ./warden.yaml are taken from; defaults to process.cwd(). */
  cwd?: string;
}

export type SafeLoadResult = { ok: true; value: LoadedConfig } | { ok: false; error: WardenError };

export type { ConfigIssue } from './issues.js';
export type { SecretReference } from './references.js';

/**
 * Finds, reads, validates and resolves the Warden configuration.
 *
 * Throws WardenError `WARDEN_CONFIG_NOT_FOUND` (no file where looked), `WARDEN_CONFIG_INVALID`
 * (details `{ file, issues: [{ line, column, path, message }] }`, every problem at once) or
 * `WARDEN_SECRET_UNRESOLVED` (details `{ file, references: [...] }`, never a value).
 *
 * @example
 * const { config, secretValues } = await loadConfig({ path: options.config });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const file = findConfigFile(options, env);
  const text = await readConfigText(file);
  const source = parseYaml(file.path, text);
  const baseDir = dirname(file.path);

  let raw: unknown;
  try {
    raw = source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = /excessive alias count/i.test(reason)
      ? `too many alias expansions (*name), as in a "billion laughs" attack; at most ${MAX_ALIAS_COUNT} are allowed, so write the values out`
      : `YAML: ${reason}`;
    throw invalid(file.path, [{ ...aliasPosition(source, reason), path: '', message }]);
  }
  if (raw === null || raw === undefined) {
    throw invalid(file.path, [
      { line: 1, column: 1, path: '', message: 'the file is empty; start it with `version: 1`' },
    ]);
  }

  const { references, malformed } = findReferences(source, baseDir);
  const issues: ConfigIssue[] = malformed.map((problem) => ({
    ...problem.position,
    path: formatPath(problem.path),
    message: problem.message,
  }));
  issues.push(...postgresUrlIssues(raw, source), ...upstreamUrlIssues(raw, source));
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) issues.push(...issuesFromZod(parsed.error.issues, source, raw, configSchema));
  if (issues.length > 0 || !parsed.success) throw invalid(file.path, issues);

  const config = parsed.data;
  const { values, unresolved } = await resolveReferences(references, env);
  for (const [reference, value] of values) {
    if (value.includes('\0')) {
      unresolved.push({
        reference,
        reason: `the value from ${reference.kind === 'env' ? 'environment variable' : 'file'} ${reference.source} contains a NUL byte, which no header, environment variable or argument can carry; fix the value`,
      });
      continue;
    }
    if (isHeaderPath(reference.path) && /[\r\n]/.test(value)) {
      unresolved.push({
        reference,
        reason: `the value from ${reference.kind === 'env' ? 'environment variable' : 'file'} ${reference.source} has a line break, which an HTTP header cannot carry; remove the extra lines`,
      });
    }
  }
  if (unresolved.length > 0) throw secretsUnresolved(file.path, unresolved);
  for (const [reference, value] of values) setAt(config, reference, value);

  const publicUrlIsDefault = config.server.publicUrl === undefined;
  const server = {
    ...config.server,
    publicUrl: config.server.publicUrl ?? defaultPublicUrl(config.server.host, config.server.port),
  };
  return {
    config: { ...config, server },
    path: file.path,
    baseDir,
    secretValues: [...new Set(values.values())],
    secretReferences: references,
    publicUrlIsDefault,
  };
}

/**
 * Like {@link loadConfig}, but returns the error instead of throwing it.
 *
 * @example
 * const result = await safeLoadConfig({ path: 'warden.yaml' });
 * if (!result.ok) console.error(result.error.message);
 */
export async function safeLoadConfig(options: LoadConfigOptions = {}): Promise<SafeLoadResult> {
  try {
    return { ok: true, value: await loadConfig(options) };
  } catch (error) {
    return { ok: false, error: toWardenError(error) };
  }
}

/**
 * The URL agents reach Warden at when `server.publicUrl` is not set: `http://host:port`, with
 * `localhost` for the wildcard addresses 0.0.0.0 and ::, and brackets around other IPv6 hosts.
 */
export function defaultPublicUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '[::]' ? 'localhost' : host;
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return `http://${bracketed}:${port}`;
}

type ConfigSource = 'option' | 'env' | 'default';

function findConfigFile(
  options: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
): { path: string; from: ConfigSource } {
  const cwd = options.cwd ?? process.cwd();
  if (options.path !== undefined && options.path !== '') {
    return { path: resolvePath(cwd, options.path), from: 'option' };
  }
  const fromEnv = env.WARDEN_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolvePath(cwd, fromEnv), from: 'env' };
  return { path: resolvePath(cwd, 'warden.yaml'), from: 'default' };
}

async function readConfigText(file: { path: string; from: ConfigSource }): Promise<string> {
  const read = await readBoundedText(file.path, MAX_CONFIG_BYTES);
  if (read.ok) return read.text;
  if (read.reason === 'missing' || read.reason === 'not-a-file') {
    const tried = [{ source: file.from, path: file.path }];
    const where =
      file.from === 'option'
        ? `${file.path} (given with --config) ${read.detail}. Check the path, or pass --config with the file's path.`
        : file.from === 'env'
          ? `${file.path} (from WARDEN_CONFIG) ${read.detail}. Fix or unset WARDEN_CONFIG, or pass --config FILE.`
          : `${file.path} (the default, ./warden.yaml) ${read.detail}, --config was not given and WARDEN_CONFIG is not set. ` +
            'Pass --config FILE, set WARDEN_CONFIG=FILE, or copy examples/warden.yaml to ./warden.yaml.';
    throw new WardenError('WARDEN_CONFIG_NOT_FOUND', `No configuration file: ${where}`, { tried });
  }
  if (read.reason === 'too-large') {
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      `Configuration file ${file.path} ${read.detail}; the limit is 1 MiB (${MAX_CONFIG_BYTES} bytes). ` +
        'Check that --config points at warden.yaml and not at another file.',
      { file: file.path, issues: [], size: read.size, limit: MAX_CONFIG_BYTES },
    );
  }
  throw new WardenError(
    'WARDEN_CONFIG_INVALID',
    `Configuration file ${file.path} ${read.detail}. Save it as UTF-8 text readable by the user running warden.`,
    { file: file.path, issues: [] },
  );
}

function parseYaml(file: string, text: string): SourceDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    strict: true,
    uniqueKeys: true,
    stringKeys: true,
    merge: false,
  });
  const problems: YAMLError[] = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    throw invalid(
      file,
      problems.map((problem) => {
        const position = problem.linePos?.[0] ?? lineCounter.linePos(problem.pos[0]);
        return {
          line: position.line,
          column: position.col,
          path: '',
          message: yamlMessage(problem, document),
        };
      }),
    );
  }
  return { document, lineCounter };
}

/** The first line of a YAML error without its "at line N, column M" suffix; duplicates name the key. */
function yamlMessage(problem: YAMLError, document: Document.Parsed): string {
  const first = (problem.message.split('\n')[0] ?? problem.message).replace(
    / at line \d+, column \d+:?$/,
    '',
  );
  if (problem.code === 'DUPLICATE_KEY') {
    let key: string | undefined;
    visit(document, {
      Pair(_key, pair) {
        if (isScalar(pair.key) && pair.key.range?.[0] === problem.pos[0]) {
          key = String(pair.key.value);
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (key !== undefined)
      return `duplicate key ${JSON.stringify(key)}: each key may appear once in a mapping`;
  }
  return `YAML: ${first}`;
}

/** Where the alias an error is about is written: the one it names, else the first alias. */
function aliasPosition(source: SourceDocument, message: string): { line: number; column: number } {
  let position: { line: number; column: number } | undefined;
  visit(source.document, {
    Alias(_key, node) {
      const here = positionOf(source, node);
      if (here === undefined) return undefined;
      if (message.endsWith(`: ${node.source}`)) {
        position = here;
        return visit.BREAK;
      }
      position ??= here;
      return undefined;
    },
  });
  return position ?? { line: 1, column: 1 };
}

/** A postgres URL written in the file must not carry a password; it has to come from a reference. */
/** Upstream URLs must not carry credentials: those go in headers, as references. */
function upstreamUrlIssues(raw: unknown, source: SourceDocument): ConfigIssue[] {
  const servers = propertyOf(raw, 'servers');
  if (servers === null || typeof servers !== 'object') return [];
  const issues: ConfigIssue[] = [];
  for (const [name, server] of Object.entries(servers as Record<string, unknown>)) {
    const url = propertyOf(server, 'url');
    if (typeof url !== 'string') continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue; // the schema reports a malformed URL
    }
    const secretParameter = [...parsed.searchParams.keys()].find((key) => SECRET_KEY_PATTERN.test(key));
    if (parsed.username !== '' || parsed.password !== '' || secretParameter !== undefined) {
      const path = ['servers', name, 'url'];
      issues.push({
        ...locate(source, path),
        path: formatPath(path),
        message: `carries a credential (${secretParameter === undefined ? 'user or password' : `the "${secretParameter}" parameter`}); put it in servers.${name}.headers as a reference such as "\${env:NAME}", never in the URL`,
      });
    }
  }
  return issues;
}

function postgresUrlIssues(raw: unknown, source: SourceDocument): ConfigIssue[] {
  const url = propertyOf(propertyOf(propertyOf(raw, 'store'), 'postgres'), 'url');
  if (typeof url !== 'string' || url === '' || SECRET_REFERENCE_PATTERN.test(url)) return [];
  const path = ['store', 'postgres', 'url'];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return [
      {
        ...locate(source, path),
        path: formatPath(path),
        message:
          'must be a postgres://user@host:port/database URL, or a reference such as "${env:WARDEN_POSTGRES_URL}"',
      },
    ];
  }
  if (parsed.password !== '' || parsed.searchParams.has('password')) {
    return [
      {
        ...locate(source, path),
        path: formatPath(path),
        message:
          'contains a password; a URL with a password must be a reference such as "${env:WARDEN_POSTGRES_URL}" ' +
          'or "${file:./secrets/postgres-url}", never written in the configuration',
      },
    ];
  }
  return [];
}

/** An own property of a plain object, or undefined. */
function propertyOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function isHeaderPath(path: readonly PropertyKey[]): boolean {
  return path.length === 4 && path[0] === 'servers' && path[2] === 'headers';
}

/** Replaces the reference text at the reference's path with its value. */
function setAt(config: WardenConfig, reference: SecretReference, value: string): void {
  let node: unknown = config;
  const parents = reference.path.slice(0, -1);
  const last = reference.path[reference.path.length - 1];
  for (const segment of parents) {
    node =
      node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  const container = node as Record<PropertyKey, unknown> | undefined;
  if (
    last === undefined ||
    container === undefined ||
    container === null ||
    container[last] !== reference.text
  ) {
    // Validation passed, so every reference must still be where it was written; anything else is a bug.
    throw new WardenError(
      'WARDEN_INTERNAL',
      `The secret reference at ${formatPath(reference.path)} could not be placed in the validated configuration.`,
      { path: formatPath(reference.path) },
    );
  }
  container[last] = value;
}

function invalid(file: string, issues: ConfigIssue[]): WardenError {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  const lines = sorted.map(
    (issue) => `  ${file}:${issue.line}:${issue.column}  ${issue.path || '(document)'}  ${issue.message}`,
  );
  return new WardenError(
    'WARDEN_CONFIG_INVALID',
    `Configuration file ${file} has ${count}:\n${lines.join('\n')}\nFix ${sorted.length === 1 ? 'it' : 'them'} and run \`warden config check --config ${file}\` again.`,
    { file, issues: sorted },
  );
}

function secretsUnresolved(file: string, unresolved: UnresolvedReference[]): WardenError {
  const sorted = [...unresolved].sort((a, b) => a.reference.line - b.reference.line);
  const lines = sorted.map(
    ({ reference, reason }) =>
      `  ${file}:${reference.line}:${reference.column}  ${formatPath(reference.path)}  ${reference.text}: ${reason}`,
  );
  const count = sorted.length === 1 ? 'a secret reference' : `${sorted.length} secret references`;
  return new WardenError(
    'WARDEN_SECRET_UNRESOLVED',
    `Could not resolve ${count} in ${file}:\n${lines.join('\n')}`,
    {
      file,
      references: sorted.map(({ reference, reason }) => ({
        line: reference.line,
        column: reference.column,
        path: formatPath(reference.path),
        kind: reference.kind,
        name: reference.name,
        source: reference.source,
        reason,
      })),
    },
  );
}
