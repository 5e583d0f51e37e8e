/**
 * `npm run bench:agentdojo`: replays an AgentDojo suite file through Warden under a least-privilege
 * policy (and, for comparison, under an allow-all policy) and prints utility, utility under attack
 * and targeted attack success rate. See bench/agentdojo-replay/README.md.
 *
 *   npm run bench:agentdojo -- [--suite FILE] [--policy DIR] [--tools FILE]... [--no-baseline] [--json]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReports } from './report.js';
import { findToolProfile, runReplay } from './replay.js';
import type { ReplayReport } from './replay.js';
import { loadSuite } from './suite.js';

const HERE = import.meta.dirname;
const REPO = resolve(HERE, '..', '..');
const DEFAULT_SUITE = resolve(REPO, '..', 'shared', 'datasets', 'agentdojo', 'banking.json');

const USAGE = `Usage: npm run bench:agentdojo -- [options]
  --suite FILE            AgentDojo replay suite (default ../shared/datasets/agentdojo/banking.json)
  --policy DIR            *.cedar policies and a *.tools.yaml tool profile
                          (default bench/agentdojo-replay/policies/<suite>)
  --tools FILE            tool profile to use instead of the one in DIR; repeat for one row per profile
  --no-baseline           skip the allow-all comparison row
  --user-tasks IDS        comma-separated user task ids (default: all)
  --injection-tasks IDS   comma-separated injection task ids (default: all)
  --json                  print the full reports as JSON instead of tables
  --quiet                 no progress lines on stderr`;

const { values } = parseArgs({
  options: {
    suite: { type: 'string' },
    policy: { type: 'string' },
    tools: { type: 'string', multiple: true },
    'no-baseline': { type: 'boolean', default: false },
    'user-tasks': { type: 'string' },
    'injection-tasks': { type: 'string' },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const suitePath = resolve(values.suite ?? DEFAULT_SUITE);
if (!existsSync(suitePath)) {
  console.error(
    `no suite file at ${suitePath}: the AgentDojo dataset lives in ../shared/datasets/agentdojo/ beside the repository; pass --suite FILE`,
  );
  process.exit(2);
}
const suite = await loadSuite(suitePath);
const policyDir = resolve(values.policy ?? join(HERE, 'policies', suite.suite));
const profiles = values.tools?.map((path) => resolve(path)) ?? [await findToolProfile(policyDir)];
const list = (text: string | undefined): string[] | undefined =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
const selection = {
  ...(values['user-tasks'] === undefined ? {} : { userTasks: list(values['user-tasks']) }),
  ...(values['injection-tasks'] === undefined ? {} : { injectionTasks: list(values['injection-tasks']) }),
  ...(values.quiet ? {} : { onProgress: (line: string) => console.error(`  ${line}`) }),
};
const display = (path: string): string => (path.startsWith(REPO) ? relative(REPO, path) : path);

const started = Date.now();
const reports: ReplayReport[] = [];
if (!values['no-baseline']) {
  const allowAll = await mkdtemp(join(tmpdir(), 'warden-agentdojo-allow-all-'));
  try {
    await writeFile(
      join(allowAll, 'allow-all.cedar'),
      '@id("allow-all")\n@reason("no defense: the baseline row permits every call")\npermit (principal, action, resource);\n',
    );
    if (!values.quiet) console.error(`no defense (allow all), tool profile ${display(profiles[0]!)}`);
    reports.push(
      await runReplay({
        suitePath,
        policyDir: allowAll,
        toolProfilePath: profiles[0]!,
        label: 'no defense (allow all)',
        ...selection,
      }),
    );
  } finally {
    await rm(allowAll, { recursive: true, force: true });
  }
}
for (const profile of profiles) {
  const label = `${basename(policyDir)} policy + ${basename(profile)}`;
  if (!values.quiet) console.error(`${label} (${display(policyDir)})`);
  reports.push(await runReplay({ suitePath, policyDir, toolProfilePath: profile, label, ...selection }));
}
const seconds = (Date.now() - started) / 1000;

if (values.json) {
  console.log(JSON.stringify({ suiteFile: suitePath, seconds, node: process.version, reports }, null, 2));
} else {
  console.log(formatReports(reports));
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${seconds.toFixed(1)} s; suite ${display(suitePath)}`,
  );
}
if (reports.some((report) => report.summary.errors > 0)) {
  console.error(
    'some calls failed for reasons other than policy (see "harness errors"); the figures are not valid',
  );
  process.exitCode = 1;
}
