import { readFileSync } from 'node:fs';
import { createInjectionScorer } from '../src/inspect/injection/index.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
const pieces = text.match(/[^\n]{1,400}/g) ?? [];
const scorer = createInjectionScorer();
const t0 = performance.now();
for (let i = 0; i < 20; i++) for (const p of pieces) scorer.score(p, 'tool_output', { deadline: Infinity });
console.log((performance.now() - t0).toFixed(0), 'ms');
