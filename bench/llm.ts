/**
 * LLM egress proxy overhead: the same requests through Warden and straight to the stub provider, in
 * one run. Prints added latency per request (p50, p99), non-streamed, and added time to the first
 * streamed token. The stub answers at once, so the difference is Warden's own cost (auth, policy,
 * inspection, tokenization, audit, restore, an extra HTTP hop). The two paths alternate request by
 * request, so other load on the machine falls on both alike. Not a test: it never fails on timing.
 *
 * By default the client (the official `openai` SDK), Warden and the stub run in this one process: on
 * a small shared machine that is the steadiest comparison, but the thread that writes the first
 * token also handles the rest of the (instant) stream before the client reads it, so the time to the
 * first token includes Warden's work on every chunk and the end-of-stream audit. `--split` runs Warden
 * and the stub in a child process, as an agent and its gateway would be (the first token then counts
 * when Warden writes it; each request crosses processes, which adds scheduling noise).
 *
 *   node --import tsx bench/llm.ts [--requests 300] [--split]
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once as onceEvent } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { startLlmHarness } from '../test/fronts/llm/harness.js';

const requests = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 300;
const PROMPT =
  'Customer Nguyễn Thị Lan Anh (lan.nguyen@example.com, +84 912 345 678) asks about invoice INV-2024-0877; draft a short, polite answer explaining the refund takes 5 working days.';

/** What the serving side tells the client side. */
interface Endpoints {
  stubUrl: string;
  wardenUrl: string;
  token: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** One request; resolves with its latency, or the time to its first streamed text. */
async function once(client: OpenAI, model: string, stream: boolean): Promise<number> {
  const started = performance.now();
  if (!stream) {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }] });
    return performance.now() - started;
  }
  const response = await client.chat.completions.create({
    model,
    stream: true,
    messages: [{ role: 'user', content: PROMPT }],
  });
  let first = -1;
  for await (const chunk of response) {
    if (first < 0 && (chunk.choices[0]?.delta.content ?? '') !== '') first = performance.now() - started;
  }
  return first;
}

/**
 * Alternates the two paths request by request, so load from other work on the machine falls on
 * both alike; the added latency is also read from each pair.
 */
async function measure(
  direct: OpenAI,
  viaWarden: OpenAI,
  stream: boolean,
): Promise<{ baseline: number[]; proxied: number[]; added: number[] }> {
  const baseline: number[] = [];
  const proxied: number[] = [];
  const added: number[] = [];
  for (let index = 0; index < requests; index++) {
    const a = await once(direct, 'gpt-4o-mini', stream);
    const b = await once(viaWarden, 'gpt', stream);
    baseline.push(a);
    proxied.push(b);
    added.push(b - a);
  }
  return { baseline, proxied, added };
}

/**
 * CPU time this process spends per request on one path (user + system), over `count` requests in a
 * row. Unlike wall time it hardly moves with other load on the machine; in one process it holds the
 * client's and the stub's share as well, so the difference between the paths is Warden's.
 */
async function cpuPerRequest(client: OpenAI, model: string, stream: boolean, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let index = 0; index < count; index++) await once(client, model, stream);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

async function run(endpoints: Endpoints, where: string): Promise<void> {
  const viaWarden = new OpenAI({
    apiKey: endpoints.token,
    baseURL: `${endpoints.wardenUrl}/v1`,
    maxRetries: 0,
  });
  const direct = new OpenAI({ apiKey: 'stub', baseURL: `${endpoints.stubUrl}/v1`, maxRetries: 0 });
  // Warm up both paths (JIT, keep-alive connections, the injection model).
  await measure(direct, viaWarden, false);
  await measure(direct, viaWarden, true);
  const rows: string[] = [];
  for (const stream of [false, true]) {
    const { baseline, proxied, added } = await measure(direct, viaWarden, stream);
    const label = stream ? 'time to first streamed token' : 'request latency (non-streamed)';
    const line = (name: string, values: number[]) =>
      `${name} p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms`;
    rows.push(`${label}:`);
    rows.push(`  ${line('direct to stub ', baseline)}`);
    rows.push(`  ${line('through Warden ', proxied)}`);
    rows.push(
      `  added            p50 ${(percentile(proxied, 50) - percentile(baseline, 50)).toFixed(2)} ms, p99 ${(percentile(proxied, 99) - percentile(baseline, 99)).toFixed(2)} ms (difference of the percentiles)`,
    );
    rows.push(`  ${line('added per pair ', added)}`);
    if (where.includes('one process')) {
      const directCpu = await cpuPerRequest(direct, 'gpt-4o-mini', stream, requests);
      const wardenCpu = await cpuPerRequest(viaWarden, 'gpt', stream, requests);
      rows.push(
        `  CPU per request  direct ${directCpu.toFixed(2)} ms, through Warden ${wardenCpu.toFixed(2)} ms, added ${(wardenCpu - directCpu).toFixed(2)} ms${stream ? ' (whole stream)' : ''}`,
      );
    }
  }
  console.log(
    `LLM egress proxy, ${requests} requests per path (alternating), ${PROMPT.length}-character prompt with 3 PII values, ${where}`,
  );
  console.log(rows.join('\n'));
}

if (process.argv.includes('--serve')) {
  // The child: Warden and the stubs, until the parent says stop (or goes away).
  const harness = await startLlmHarness({ chunkSize: 8 });
  const endpoints: Endpoints = {
    stubUrl: harness.external.url,
    wardenUrl: harness.gateway.url,
    token: await harness.gateway.token('support-bot'),
  };
  process.send?.(endpoints);
  process.once('disconnect', () => void harness.close().then(() => process.exit(0)));
} else if (!process.argv.includes('--split')) {
  const harness = await startLlmHarness({ chunkSize: 8 });
  try {
    await run(
      {
        stubUrl: harness.external.url,
        wardenUrl: harness.gateway.url,
        token: await harness.gateway.token('support-bot'),
      },
      'client, Warden and stub in one process',
    );
  } finally {
    await harness.close();
  }
} else {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [endpoints] = (await Promise.race([
      onceEvent(child, 'message'),
      onceEvent(child, 'exit').then(() => {
        throw new Error('the serving process exited before it was ready');
      }),
    ])) as [Endpoints];
    await run(endpoints, 'client in one process, Warden and stub in another');
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = onceEvent(child, 'exit');
      child.disconnect();
      await exited;
    }
  }
}
