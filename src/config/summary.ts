/**
 * The human summary `warden config check` prints. It shows where secrets come from (variable or file
 * names), never a secret value and never database credentials.
 */
import { formatPath } from './issues.js';
import type { LoadedConfig } from './load.js';

/**
 * Summarises a loaded configuration: file, store, server address and public URL, token lifetime,
 * data classes, roles, agents, upstream servers and the secret references that were resolved.
 *
 * @example
 * console.log(summarizeConfig(await loadConfig({ path: 'warden.yaml' })));
 */
export function summarizeConfig(loaded: LoadedConfig): string {
  const { config } = loaded;
  // A field whose value came from a reference is shown as the reference, never as its value.
  const referenced = new Map(
    loaded.secretReferences.map((reference) => [formatPath(reference.path), reference.text]),
  );
  const shown = (path: string, value: string): string => referenced.get(path) ?? value;

  const lines: string[] = [];
  const field = (label: string, value: string): void => {
    lines.push(`${`${label}:`.padEnd(14)}${value}`);
  };

  field('File', loaded.path);
  field('Store', describeStore(loaded, shown));
  const listen = `${shown('server.host', config.server.host)}:${config.server.port}`;
  field('Server', `listens on ${listen}`);
  const hostReference = referenced.get('server.host');
  const publicUrl = loaded.publicUrlIsDefault
    ? // Derived from host and port: when the host came from a reference, show the reference.
      `${hostReference !== undefined ? `http://${hostReference}:${config.server.port}` : config.server.publicUrl} (default: from host and port)`
    : shown('server.publicUrl', config.server.publicUrl);
  field('Public URL', publicUrl);
  field('Tokens', `lifetime ${formatDuration(config.identity.tokenLifetime)}`);
  field('Data classes', config.dataClasses.map((dataClass) => dataClass.name).join(' < '));

  const roles = Object.keys(config.roles);
  field('Roles', roles.length > 0 ? `${roles.length}: ${roles.join(', ')}` : 'none');

  const agents = Object.entries(config.agents);
  field('Agents', agents.length > 0 ? String(agents.length) : 'none');
  lines.push(
    ...table(
      agents.map(([name, agent]) => [
        name,
        `owner ${agent.owner}`,
        `roles ${agent.roles.join(', ')}`,
        `clearance ${agent.clearance}`,
      ]),
    ),
  );

  const servers = Object.entries(config.servers);
  field('Servers', servers.length > 0 ? String(servers.length) : 'none');
  lines.push(
    ...table(
      servers.map(([name, server]) => {
        const count = Object.keys(server.tools).length;
        return [name, server.transport, `${count} ${count === 1 ? 'tool' : 'tools'}`];
      }),
    ),
  );

  const admins = Object.entries(config.admins);
  field(
    'Admins',
    admins.length > 0 ? String(admins.length) : 'none (approvals can be decided only from the CLI)',
  );
  lines.push(
    ...table(
      admins.map(([name, admin]) => [
        name,
        admin.email,
        `roles ${admin.roles.join(',')}`,
        admin.groups.length > 0 ? `groups ${admin.groups.join(',')}` : '',
      ]),
    ),
  );
  const { approvals, inspection } = config;
  field(
    'Approvals',
    `calls wait ${approvals.wait} s; requests expire after ${approvals.expiry} s${approvals.escalation === undefined ? '' : `; escalate to ${approvals.escalation.to.join(', ')} after ${approvals.escalation.after} s`}; ${config.notifications.webhooks.length} webhook(s)`,
  );
  field(
    'Inspection',
    inspection.enabled
      ? `on; injection in results ≥ ${inspection.injection.threshold}: ${inspection.injection.action}`
      : 'off (arguments and results pass as they are)',
  );

  const references = loaded.secretReferences;
  field('Secrets', `${references.length} ${references.length === 1 ? 'reference' : 'references'} resolved`);
  lines.push(
    ...table(
      references.map((reference) => [
        formatPath(reference.path),
        reference.kind === 'env' ? `environment variable ${reference.name}` : `file ${reference.name}`,
      ]),
    ),
  );
  const unclassified = servers.flatMap(([name, server]) =>
    Object.entries(server.tools)
      .filter(([, tool]) => tool.classification === undefined)
      .map(([tool]) => `${name}__${tool}`),
  );
  if (unclassified.length > 0) {
    field(
      'Note',
      `${unclassified.length} ${unclassified.length === 1 ? 'tool has' : 'tools have'} no classification, so policies comparing a tool's data class with an agent's clearance do not limit ${unclassified.length === 1 ? 'it' : 'them'}: ${unclassified.join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function describeStore(loaded: LoadedConfig, shown: (path: string, value: string) => string): string {
  const { store } = loaded.config;
  if (store.driver === 'sqlite') {
    return `sqlite, file ${shown('store.sqlite.path', store.sqlite.path)} (synchronous=${store.sqlite.synchronous})`;
  }
  const postgres = store.postgres;
  if (postgres === undefined) return 'postgres';
  return `postgres, ${postgresLocation(postgres.url)} (schema ${postgres.schema})`;
}

/** host:port/database of a postgres URL, without user, password or query parameters. */
function postgresLocation(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.host !== '' ? parsed.host : '(default host)';
    const database = parsed.pathname.replace(/^\//, '');
    return `${host}${database !== '' ? `/${safeDecode(database)}` : ''}`;
  } catch {
    return 'server from the configured connection string';
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `600` → `10m (600 s)`; seconds that are not whole minutes stay in seconds. */
function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h (${seconds} s)`;
  if (seconds % 60 === 0) return `${seconds / 60}m (${seconds} s)`;
  return `${seconds} s`;
}

/** Indented, column-aligned rows. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')}`,
  );
}
