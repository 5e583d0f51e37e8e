/**
 * LLM egress proxy overhead: the same requests through Warden and straight to the stub provider, in
 * one run. Prints added latency per request (p50, p99), non-streamed, and added time to the first
 * streamed token. The stub answers at once, so the difference is Warden's own cost (auth, policy,
 * inspection, tokenization, audit, restore, an extra HTTP hop). Not a test: it never fails on timing.
 *
 *   node --import tsx bench/llm.ts [--requests 300]
 */
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { startLlmHarness } from '../test/fronts/llm/harness.js';

const requests = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 300;
const PROMPT =
  'Customer Nguyễn Thị Lan Anh (lan.nguyen@example.com, +84 912 345 678) asks about invoice INV-2024-0877; draft a short, polite answer explaining the refund takes 5 working days.';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function measure(client: OpenAI, model: string, stream: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < requests; index++) {
    const started = performance.now();
    if (stream) {
      const response = await client.chat.completions.create({
        model,
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      });
      let first = -1;
      for await (const chunk of response) {
        if (first < 0 && (chunk.choices[0]?.delta.content ?? '') !== '') first = performance.now() - started;
      }
      times.push(first);
    } else {
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }] });
      times.push(performance.now() - started);
    }
  }
  return times;
}

const harness = await startLlmHarness({ chunkSize: 8 });
try {
  const viaWarden = await harness.openai('support-bot');
  const direct = new OpenAI({ apiKey: 'stub', baseURL: `${harness.external.url}/v1`, maxRetries: 0 });
  // Warm up both paths (JIT, keep-alive connections, the injection model).
  await measure(viaWarden, 'gpt', false);
  await measure(direct, 'gpt-4o-mini', false);
  const rows: string[] = [];
  for (const stream of [false, true]) {
    const baseline = await measure(direct, 'gpt-4o-mini', stream);
    const proxied = await measure(viaWarden, 'gpt', stream);
    const label = stream ? 'time to first streamed token' : 'request latency (non-streamed)';
    const line = (name: string, values: number[]) =>
      `${name} p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms`;
    rows.push(`${label}:`);
    rows.push(`  ${line('direct to stub ', baseline)}`);
    rows.push(`  ${line('through Warden ', proxied)}`);
    rows.push(
      `  added            p50 ${(percentile(proxied, 50) - percentile(baseline, 50)).toFixed(2)} ms, p99 ${(percentile(proxied, 99) - percentile(baseline, 99)).toFixed(2)} ms`,
    );
  }
  console.log(
    `LLM egress proxy, ${requests} requests per path, ${PROMPT.length}-character prompt with 3 PII values`,
  );
  console.log(rows.join('\n'));
} finally {
  await harness.close();
}
