import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseInjectionModel } from '../src/inspect/injection/classifier.ts';
import { scoreInjection } from '../src/inspect/injection/scorer.ts';
const model = parseInjectionModel(JSON.parse(readFileSync(process.argv[2] ?? 'models/injection.json', 'utf8')));
const files: string[] = [];
function walk(dir: string, depth: number) {
  if (files.length > 2000) return;
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    const p = join(dir, e);
    if (/^readme\.md$/i.test(e)) files.push(p);
    else if (!e.startsWith('.') && depth < 3) { try { if (statSync(p).isDirectory()) walk(p, depth + 1); } catch {} }
  }
}
walk('node_modules', 0);
let flagged = 0, total = 0, flaggedParts = 0, parts = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8'); if (text.length < 200) continue;
  total++;
  if (scoreInjection(model, text, 'tool_output', { deadline: Infinity }).score >= 0.5) flagged++;
  // paragraphs as separate short tool outputs
  for (const p of text.split(/\n\s*\n/)) { if (p.length < 80) continue; parts++; if (scoreInjection(model, p, 'tool_output', { deadline: Infinity }).score >= 0.5) flaggedParts++; }
}
console.log(`READMEs flagged ${flagged}/${total} = ${(flagged/total).toFixed(3)}; paragraphs flagged ${flaggedParts}/${parts} = ${(flaggedParts/parts).toFixed(3)}`);
