import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.toLowerCase();
const counts = new Map<string, number>();
const all = new Set<string>(); for (const p of PHRASE_PATTERNS) for (const a of p.anchors) all.add(a);
for (const a of all) { const re = new RegExp((/^[a-z0-9]/.test(a) ? '\\b' : '') + a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'); let n = 0; while (re.exec(text)) n++; counts.set(a, n); }
const np = new Map<string, number>(); for (const p of PHRASE_PATTERNS) for (const a of p.anchors) np.set(a, (np.get(a) ?? 0) + 1);
console.log([...counts].sort((a,b)=>b[1]*(np.get(b[0])??1)-a[1]*(np.get(a[0])??1)).slice(0,40).map(([a,n])=>`${a}:${n}x${np.get(a)}`).join(' '));
