import { readFileSync } from 'node:fs';
import { PHRASE_PATTERNS } from '../src/inspect/injection/phrases.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ').toLowerCase();
const all = new Set<string>(); for (const p of PHRASE_PATTERNS) for (const a of p.anchors) if (/^[a-z0-9]/.test(a)) all.add(a);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
type Node = Map<string, Node> & { end?: boolean };
const root: Node = new Map();
for (const a of all) { let n = root; for (const ch of a) { if (!n.has(ch)) n.set(ch, new Map()); n = n.get(ch)!; } (n as any).end = true; }
function emit(n: Node): string {
  const alts = [...n].sort((a,b)=>a[0]<b[0]?-1:1).map(([ch, c]) => esc(ch) + ((c as any).end ? (c.size ? '(?:' + emit(c) + ')?' : '') : (c.size === 1 ? emit(c) : '(?:' + emit(c) + ')')));
  return alts.join('|');
}
const trie = new RegExp('\\b(?:' + emit(root) + ')', 'g');
const flat = new RegExp('\\b(?:' + [...all].sort((a,b)=>b.length-a.length).map(esc).join('|') + ')', 'g');
const first = new RegExp('\\b[' + [...new Set([...all].map(a=>a[0]))].join('') + ']', 'g');
for (let i = 0; i < 4; i++) {
  for (const [name, re] of [['trie', trie], ['flat', flat], ['firstchar', first]] as const) {
    const t0 = performance.now(); re.lastIndex = 0; let n = 0; while (re.exec(text)) n++; console.log(name, (performance.now()-t0).toFixed(1), n);
  }
}
console.log(trie.source.length);
