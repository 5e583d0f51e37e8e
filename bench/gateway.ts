/**
 * Gateway benchmark: tool-call latency and throughput against the same echo upstream three ways in
 * one run — direct (client → upstream over HTTP), through a bare proxy (mcp-proxy → upstream over
 * stdio) and through Warden (policy and audit on → upstream over stdio) — at 1, 16 and 64 concurrent
 * clients. Prints a markdown table with p50/p99 latency, calls per second and the ratios.
 *
 *   npm run bench:gateway
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const REPO = resolve(import.meta.dirname, '..');
const ECHO = join(REPO, 'bench', 'fixtures', 'echo-server.js');
const CALLS_PER_LEVEL = Number(process.env.BENCH_GATEWAY_CALLS ?? 3000);
const LEVELS = [1, 16, 64];
const ARGUMENT = 'x'.repeat(480); // ~500-byte arguments, as in PERFORMANCE-NOTES

interface Target {
  name: string;
  url: string;
  tool: string;
  headers: Record<string, string>;
}

interface Measurement {
  target: string;
  concurrency: number;
  p50: number;
  p99: number;
  perSecond: number;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${what}; output: ${seen}`)),
      30_000,
    );
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolveLine(match[1] ?? match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what}: process exited (${code}); output: ${seen}`)));
  });
}

/** Polls until something answers HTTP at `url` (any status). */
async function waitForHttp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(url, { method: 'GET' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
    }
  }
}

async function connect(target: Target): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: target.headers } }),
  );
  return client;
}

async function measure(target: Target, concurrency: number): Promise<Measurement> {
  const clients = await Promise.all(Array.from({ length: concurrency }, () => connect(target)));
  // warm up
  await Promise.all(
    clients.map((client) => client.callTool({ name: target.tool, arguments: { text: ARGUMENT } })),
  );
  const latencies: number[] = [];
  let remaining = CALLS_PER_LEVEL;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client) => {
      while (remaining > 0) {
        remaining -= 1;
        const begin = process.hrtime.bigint();
        const result = await client.callTool({ name: target.tool, arguments: { text: ARGUMENT } });
        latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
        if (result.isError === true) throw new Error(`${target.name}: ${JSON.stringify(result.content)}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((client) => client.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    target: target.name,
    concurrency,
    p50: at(0.5),
    p99: at(0.99),
    perSecond: latencies.length / seconds,
  };
}

const children: ChildProcess[] = [];
const workspace = await mkdtemp(join(tmpdir(), 'warden-bench-'));
try {
  // 1. direct: the echo server over HTTP
  const directPort = 19300 + (process.pid % 500);
  const echoDirect = spawn(process.execPath, [ECHO, '--http', String(directPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(echoDirect);
  await waitForLine(echoDirect, /listening (\d+)/, 'the echo server');

  // 2. bare proxy: mcp-proxy in front of the echo server over stdio
  const proxyPort = directPort + 1;
  const proxy = spawn(
    process.execPath,
    [
      join(REPO, 'node_modules', 'mcp-proxy', 'dist', 'bin', 'mcp-proxy.mjs'),
      '--port',
      String(proxyPort),
      '--host',
      '127.0.0.1',
      '--',
      process.execPath,
      ECHO,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(proxy);
  await waitForLine(proxy, /starting server on port|listening/i, 'mcp-proxy');
  await waitForHttp(`http://127.0.0.1:${proxyPort}/mcp`);

  // 3. Warden: policy + audit on, the echo server over stdio
  const wardenPort = directPort + 2;
  await mkdir(join(workspace, 'policies'));
  await writeFile(
    join(workspace, 'policies', 'bench.cedar'),
    '@id("bench-echo")\n@reason("the benchmark agent may echo")\npermit (principal in Role::"bench", action == Action::"echo__echo", resource);\n',
  );
  await writeFile(
    join(workspace, 'warden.yaml'),
    [
      'version: 1',
      'server:',
      '  host: 127.0.0.1',
      `  port: ${wardenPort}`,
      'logging:',
      '  level: info',
      'store:',
      '  sqlite:',
      '    path: warden.db',
      // BENCH_SQLITE_SYNC=normal measures the audit log without an fsync per commit.
      `    synchronous: ${process.env.BENCH_SQLITE_SYNC ?? 'full'}`,
      'secrets:',
      '  masterKeyFile: master.key',
      'roles:',
      '  bench: {}',
      'agents:',
      '  bench-bot:',
      '    owner: bench@example.com',
      '    roles: [bench]',
      '    clearance: internal',
      'servers:',
      '  echo:',
      '    transport: stdio',
      `    command: ${process.execPath}`,
      `    args: [${JSON.stringify(ECHO)}]`,
      '    tools:',
      '      echo: { risk: read, classification: public }',
    ].join('\n'),
  );
  const cli = join(REPO, 'src', 'cli', 'main.ts');
  const config = join(workspace, 'warden.yaml');
  const rotate = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'agents', 'rotate-secret', 'bench-bot', '--json', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let rotateOutput = '';
  rotate.stdout.on('data', (chunk: Buffer) => (rotateOutput += chunk.toString('utf8')));
  await new Promise((resolveExit) => rotate.once('exit', resolveExit));
  const secret = (JSON.parse(rotateOutput) as { clientSecret: string }).clientSecret;
  // BENCH_WARDEN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway process.
  const wardenNodeArgs = (process.env.BENCH_WARDEN_NODE_ARGS ?? '').split(' ').filter((part) => part !== '');
  const warden = spawn(
    process.execPath,
    [...wardenNodeArgs, '--import', 'tsx', cli, 'serve', '--config', config],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(warden);
  await waitForLine(warden, /"msg":"warden listening"/, 'warden');
  const tokenResponse = await fetch(`http://127.0.0.1:${wardenPort}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'bench-bot',
      client_secret: secret,
    }),
  });
  const token = ((await tokenResponse.json()) as { access_token: string }).access_token;

  const targets: Target[] = [
    { name: 'direct', url: `http://127.0.0.1:${directPort}/mcp`, tool: 'echo', headers: {} },
    { name: 'mcp-proxy', url: `http://127.0.0.1:${proxyPort}/mcp`, tool: 'echo', headers: {} },
    {
      name: 'warden',
      url: `http://127.0.0.1:${wardenPort}/mcp`,
      tool: 'echo__echo',
      headers: { authorization: `Bearer ${token}` },
    },
  ];
  const results: Measurement[] = [];
  for (const concurrency of LEVELS) {
    for (const target of targets) {
      const result = await measure(target, concurrency);
      results.push(result);
      process.stderr.write(
        `${target.name} c=${concurrency}: p50 ${result.p50.toFixed(2)} ms, ${Math.round(result.perSecond)}/s\n`,
      );
    }
  }

  console.log(
    `Gateway benchmark, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${CALLS_PER_LEVEL} calls per level, ~500-byte arguments, SQLite synchronous=${process.env.BENCH_SQLITE_SYNC ?? 'full'}`,
  );
  console.log('');
  console.log(
    '| clients | path | p50 ms | p99 ms | calls/s | added p50 vs direct | calls/s vs direct | calls/s vs mcp-proxy |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const concurrency of LEVELS) {
    const direct = results.find((row) => row.target === 'direct' && row.concurrency === concurrency)!;
    const proxyRow = results.find((row) => row.target === 'mcp-proxy' && row.concurrency === concurrency)!;
    for (const row of results.filter((entry) => entry.concurrency === concurrency)) {
      console.log(
        `| ${concurrency} | ${row.target} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${Math.round(row.perSecond)} | ` +
          `${row.target === 'direct' ? '–' : `+${(row.p50 - direct.p50).toFixed(2)} ms`} | ${(row.perSecond / direct.perSecond).toFixed(2)} | ` +
          `${row.target === 'mcp-proxy' ? '–' : (row.perSecond / proxyRow.perSecond).toFixed(2)} |`,
      );
    }
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await rm(workspace, { recursive: true, force: true });
}
