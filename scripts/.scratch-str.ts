import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
const text = readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').toLowerCase();
let json = JSON.stringify(Array.from({length: 500}, (_, i) => ({ id: i, name: 'Customer ' + i, email: `user${i}@example.com`, notes: 'Called about the invoice; will pay next week. Order #' + (1000 + i) + ' shipped.', tags: ['vip', 'eu'] }))).toLowerCase();
let bip = ''; for (const l of readFileSync('/work/shared/datasets/injection/bipia_train_tool_output.jsonl','utf8').split('\n')) if (l) { const r = JSON.parse(l); if (r.label === 0) bip += r.text.toLowerCase() + '\n'; }
for (const [name, t] of [['gpl', text], ['json', json], ['bipia', bip]] as const) {
  const counts = new Map<string, number>();
  const all = new Set<string>(); for (const p of PHRASE_PATTERNS) for (const a of p.anchors) all.add(a);
  for (const a of all) { if (!/^[a-z0-9]/.test(a)) continue; const re = new RegExp('\\b' + a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'); let n = 0; while (re.exec(t)) n++; if (n) counts.set(a, n); }
  const cost = new Map<string, number>();
  for (const p of PHRASE_PATTERNS) { let c = 0; for (const a of p.anchors) c += counts.get(a) ?? 0; if (c) cost.set(p.label, c); }
  const per = 1e6 / t.length;
  console.log(name, 'hits/MB top:', [...counts].sort((a,b)=>b[1]-a[1]).slice(0,15).map(([a,n])=>`${a}:${Math.round(n*per)}`).join(' '));
  console.log('   pattern-runs/MB:', [...cost].sort((a,b)=>b[1]-a[1]).slice(0,12).map(([a,n])=>`${a}:${Math.round(n*per)}`).join(' '));
}
