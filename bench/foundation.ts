/**
 * Foundation benchmarks: durable audit appends per second (SQLite FULL and NORMAL, PostgreSQL; one
 * writer and 16 concurrent writers), verification entries per second, token issue and verify per
 * second. Prints a markdown table; figures go to bench/RESULTS.md. Not a test: nothing here fails on
 * timing.
 *
 *   npm run bench                      # SQLite only
 *   WARDEN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test npm run bench
 */
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { verifyAuditLog } from '../src/audit/index.js';
import { loadConfig } from '../src/config/index.js';
import { openWarden } from '../src/server/index.js';
import type { Warden } from '../src/server/index.js';
import { makeWorkspace } from '../test/e2e/helpers.js';

const SINGLE_APPENDS = Number(process.env.BENCH_SINGLE_APPENDS ?? 3000);
const CONCURRENT_APPENDS = Number(process.env.BENCH_CONCURRENT_APPENDS ?? 20000);
const WRITERS = 16;
const TOKEN_ISSUES = Number(process.env.BENCH_TOKEN_ISSUES ?? 200);
const TOKEN_VERIFIES = Number(process.env.BENCH_TOKEN_VERIFIES ?? 5000);

interface Row {
  store: string;
  measure: string;
  operations: number;
  seconds: number;
}

const rows: Row[] = [];

async function timed(
  store: string,
  measure: string,
  operations: number,
  action: () => Promise<void>,
): Promise<void> {
  const started = process.hrtime.bigint();
  await action();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rows.push({ store, measure, operations, seconds });
  process.stderr.write(`${store} ${measure}: ${Math.round(operations / seconds)}/s\n`);
}

const detail = {
  tool: 'crm__read_customer',
  arguments: { id: 'c-1042', fields: ['name', 'email', 'tier'] },
  decision: 'allow',
};

async function benchAudit(label: string, warden: Warden): Promise<void> {
  const { audit } = warden;
  await timed(label, 'audit append, 1 writer (each awaited)', SINGLE_APPENDS, async () => {
    for (let index = 0; index < SINGLE_APPENDS; index++) {
      await audit.record({
        type: 'tool-call-allowed',
        actor: 'agent:support-bot',
        subject: 'tool:crm__read_customer',
        detail,
      });
    }
  });
  await timed(label, `audit append, ${WRITERS} concurrent writers`, CONCURRENT_APPENDS, async () => {
    const perWriter = CONCURRENT_APPENDS / WRITERS;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let index = 0; index < perWriter; index++) {
          await audit.record({
            type: 'tool-call-allowed',
            actor: `agent:writer-${writer}`,
            subject: 'tool:crm__read_customer',
            detail,
          });
        }
      }),
    );
  });
  await audit.checkpoint();
  const total = await warden.store.audit.count();
  await timed(label, 'audit verify (entries)', total, async () => {
    const report = await verifyAuditLog({
      store: warden.store.audit,
      verifier: warden.keys.checkpointVerifier(),
    });
    if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.failure)}`);
  });
}

async function benchTokens(label: string, warden: Warden): Promise<void> {
  const { secret } = await warden.agents.rotateSecret('support-bot', 'bench');
  const tokens: string[] = [];
  await timed(label, 'token issue (scrypt secret check + EdDSA sign + audit)', TOKEN_ISSUES, async () => {
    for (let index = 0; index < TOKEN_ISSUES; index++) {
      tokens.push((await warden.tokens.issue({ clientId: 'support-bot', clientSecret: secret })).accessToken);
    }
  });
  await timed(label, 'token verify, first use (EdDSA verify + agent lookup)', tokens.length, async () => {
    for (const token of tokens) await warden.tokens.verify(token);
  });
  const token = tokens[0]!;
  await timed(
    label,
    'token verify, repeat use (cached signature; time claims + agent lookup)',
    TOKEN_VERIFIES,
    async () => {
      for (let index = 0; index < TOKEN_VERIFIES; index++) {
        await warden.tokens.verify(token);
      }
    },
  );
}

async function withWorkspace(
  storeYaml: string | undefined,
  synchronous: string | undefined,
  run: (warden: Warden) => Promise<void>,
): Promise<void> {
  const workspace = await makeWorkspace({
    checkpointEvery: 1000,
    ...(storeYaml === undefined ? {} : { storeYaml }),
    logLevel: 'silent',
  });
  try {
    if (synchronous !== undefined) {
      const { readFile, writeFile } = await import('node:fs/promises');
      const text = await readFile(workspace.configPath, 'utf8');
      await writeFile(
        workspace.configPath,
        text.replace(/(\n {4}path: [^\n]+)/, `$1\n    synchronous: ${synchronous}`),
      );
    }
    const loaded = await loadConfig({ path: workspace.configPath, env: process.env });
    const warden = await openWarden(loaded, { actor: 'bench', sync: true });
    try {
      await run(warden);
    } finally {
      await warden.close();
    }
  } finally {
    await workspace.cleanup();
  }
}

await withWorkspace(undefined, 'full', async (warden) => {
  await benchAudit('sqlite (synchronous=full)', warden);
  await benchTokens('sqlite', warden);
});
await withWorkspace(undefined, 'normal', (warden) => benchAudit('sqlite (synchronous=normal)', warden));

const postgresUrl = process.env.WARDEN_TEST_POSTGRES_URL;
if (postgresUrl) {
  const schema = `warden_bench_${process.pid}`;
  process.env.WARDEN_BENCH_POSTGRES_URL = postgresUrl;
  try {
    await withWorkspace(
      `  driver: postgres\n  postgres:\n    url: \${env:WARDEN_BENCH_POSTGRES_URL}\n    schema: ${schema}\n    poolSize: 16\n`,
      undefined,
      async (warden) => {
        await benchAudit('postgres', warden);
        await benchTokens('postgres', warden);
      },
    );
  } finally {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
} else {
  process.stderr.write('WARDEN_TEST_POSTGRES_URL is not set: PostgreSQL rows skipped\n');
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `Foundation benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log('');
console.log('| store | measure | operations | seconds | per second |');
console.log('|---|---|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.store} | ${row.measure} | ${row.operations} | ${row.seconds.toFixed(2)} | ${Math.round(row.operations / row.seconds).toLocaleString('en-US')} |`,
  );
}
