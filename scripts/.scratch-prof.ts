import { readFileSync } from 'node:fs';
import { matchPhrases } from '../src/inspect/injection/phrases.ts';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ');
for (let i = 0; i < 6; i++) {
  const t0 = performance.now(); const low = text.toLowerCase(); const t1 = performance.now();
  matchPhrases(text); const t2 = performance.now();
  detectInjectionRules(text, {deadline: Infinity}); const t3 = performance.now();
  const re = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g; let n = 0; while (re.exec(text)) n++; const t4 = performance.now();
  const re2 = /\bhttps?:\/\/[^\s<>"'`)\]]{1,4096}/gi; while (re2.exec(text)) n++; const t5 = performance.now();
  console.log('lower', (t1-t0).toFixed(1), 'phrases', (t2-t1).toFixed(1), 'all', (t3-t2).toFixed(1), 'encoded', (t4-t3).toFixed(1), 'url', (t5-t4).toFixed(1));
}
