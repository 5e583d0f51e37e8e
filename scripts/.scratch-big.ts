import { readFileSync } from 'node:fs';
import { createInjectionScorer } from '../src/inspect/injection/index.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
if (process.argv[2] === 'ascii') text = text.replace(/[^\x00-\x7f]/g, ' ');
const scorer = createInjectionScorer();
const t0 = performance.now();
for (let i = 0; i < 15; i++) scorer.score(text, 'tool_output', { deadline: Infinity });
console.log((15 * text.length / 1e3 / (performance.now() - t0)).toFixed(1), 'MB/s');
