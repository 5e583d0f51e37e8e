import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ');
const res: [string, number][] = [];
for (const p of PHRASE_PATTERNS) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); p.pattern.lastIndex = 0; let n = 0; while (p.pattern.exec(text)) n++; best = Math.min(best, performance.now() - t0); }
  res.push([p.label, best]);
}
res.sort((a, b) => b[1] - a[1]);
let tot = 0; for (const [, t] of res) tot += t;
console.log('total', tot.toFixed(1));
for (const [l, t] of res.slice(0, 30)) console.log(l, t.toFixed(2));
