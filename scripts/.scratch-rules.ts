import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
import { foldText } from '../src/inspect/injection/fold.ts';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
const dir = '/work/shared/datasets/injection/';
const rows: any[] = [];
for (const f of ['bipia_train_tool_output.jsonl','injecguard_valid_prompt.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) rows.push(JSON.parse(l));
const stats = new Map<string, {pos:number, neg:number, negEx:string[]}>();
const mode = process.argv[2] ?? 'phrases';
for (const r of rows) {
  const f = foldText(r.text);
  const hit = new Set<string>();
  if (mode === 'phrases') {
    for (const p of PHRASE_PATTERNS) { p.pattern.lastIndex = 0; const m = p.pattern.exec(f.text); p.pattern.lastIndex = 0; if (m) { hit.add(p.label); if (r.label===0) { const s = stats.get(p.label) ?? {pos:0,neg:0,negEx:[]}; if (s.negEx.length<4) s.negEx.push(r.kind+': '+JSON.stringify(m[0]).slice(0,150)); stats.set(p.label,s);} } }
  } else {
    for (const x of detectInjectionRules(r.text, {deadline: Infinity})) if (x.confidence>=0.5) { const k = x.type; hit.add(k); if (r.label===0) { const s = stats.get(k) ?? {pos:0,neg:0,negEx:[]}; if (s.negEx.length<4) s.negEx.push(r.kind+': '+JSON.stringify(r.text.slice(x.start,x.end)).slice(0,150)); stats.set(k,s);} }
  }
  for (const h of hit) { const s = stats.get(h) ?? {pos:0,neg:0,negEx:[]}; if (r.label===1) s.pos++; else s.neg++; stats.set(h,s); }
}
for (const [k,s] of [...stats].sort()) { console.log(k, 'pos', s.pos, 'neg', s.neg); for (const e of s.negEx) console.log('    ', e); }
