import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ');
const ascii = PHRASE_PATTERNS.filter(p => !/[^\x00-\x7f]/.test(p.pattern.source));
const sorted = [...ascii].sort((a,b)=>b.confidence-a.confidence);
const combinedI = new RegExp(sorted.map(p => '(' + p.pattern.source + ')').join('|'), 'gi');
const combined = new RegExp(sorted.map(p => '(' + p.pattern.source + ')').join('|'), 'g');
console.log(ascii.length, 'patterns');
for (let i = 0; i < 4; i++) {
  let t0 = performance.now(); combinedI.lastIndex = 0; let n = 0; while (combinedI.exec(text)) n++;
  let t1 = performance.now(); const low = text.toLowerCase(); let t2 = performance.now();
  combined.lastIndex = 0; let m = 0; while (combined.exec(low)) m++;
  let t3 = performance.now();
  console.log('combined /i', (t1-t0).toFixed(1), 'ms', n, '| lower', (t2-t1).toFixed(1), 'combined', (t3-t2).toFixed(1), m, 'MB', text.length/1e6);
}
