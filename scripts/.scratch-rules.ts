import { readFileSync } from 'node:fs';
import { matchPhrases } from '../src/inspect/injection/phrases.ts';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
const dir = '/work/shared/datasets/injection/';
const rows: any[] = [];
for (const f of ['bipia_train_tool_output.jsonl','injecguard_valid_prompt.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) rows.push(JSON.parse(l));
const stats = new Map<string, {pos:number, neg:number, negEx:string[]}>();
const mode = process.argv[2] ?? 'phrases';
const min = Number(process.argv[3] ?? 0);
for (const r of rows) {
  const hit = new Set<string>();
  const list = mode === 'phrases' ? matchPhrases(r.text).map(m => ({k: m.label, c: m.confidence, s: m.start, e: m.end})) : detectInjectionRules(r.text, {deadline: Infinity}).map(m => ({k: m.type, c: m.confidence, s: m.start, e: m.end}));
  for (const x of list) if (x.c >= min) { hit.add(x.k); if (r.label===0) { const s = stats.get(x.k) ?? {pos:0,neg:0,negEx:[]}; if (s.negEx.length<4) s.negEx.push(r.kind+': '+JSON.stringify(r.text.slice(x.s,x.e)).slice(0,150)); stats.set(x.k,s);} }
  for (const h of hit) { const s = stats.get(h) ?? {pos:0,neg:0,negEx:[]}; if (r.label===1) s.pos++; else s.neg++; stats.set(h,s); }
}
let pos = 0, neg = 0;
for (const [k,s] of [...stats].sort()) { console.log(k, 'pos', s.pos, 'neg', s.neg); for (const e of s.negEx) console.log('    ', e); }
