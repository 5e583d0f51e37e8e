import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseInjectionModel, RULE_TYPES } from '../src/inspect/injection/classifier.ts';
import { injectionInputs, calibratedScore } from '../src/inspect/injection/scorer.ts';
const model = parseInjectionModel(JSON.parse(readFileSync(process.argv[2] ?? 'models/injection.json', 'utf8')));
const c = model.calibration;
const files: string[] = [];
function walk(dir: string, depth: number) { let entries: string[] = []; try { entries = readdirSync(dir); } catch { return; } for (const e of entries) { const p = join(dir, e); if (/^readme\.md$/i.test(e)) files.push(p); else if (!e.startsWith('.') && depth < 3) { try { if (statSync(p).isDirectory()) walk(p, depth + 1); } catch {} } } }
walk('node_modules', 0);
const agg = { total: 0, flagged: 0, byRuleOnly: 0, byClassifier: 0, requestLine: 0, phrase: 0, decisive: 0 };
const labels = new Map<string, number>();
for (const f of files) {
  const text = readFileSync(f, 'utf8'); if (text.length < 200) continue;
  for (const p of text.split(/\n\s*\n/)) {
    if (p.length < 80) continue;
    agg.total++;
    const { inputs, findings } = injectionInputs(model, p, { deadline: Infinity });
    const s = calibratedScore(c, 'tool_output', inputs);
    if (s < 0.5) continue;
    agg.flagged++;
    const clf = c.bias.tool_output + c.classifier.tool_output * inputs.logit + c.windows.tool_output * Math.log2(inputs.windows);
    if (clf >= 0) agg.byClassifier++; else agg.byRuleOnly++;
    if (inputs.requestLine) agg.requestLine++;
    if (inputs.rules.injection_phrase > 0) agg.phrase++;
    if (RULE_TYPES.some((t) => inputs.rules[t] >= 0.8)) agg.decisive++;
    for (const x of findings) if (x.confidence >= 0.3) { const k = `${x.type}:${x.confidence}`; labels.set(k, (labels.get(k) ?? 0) + 1); }
  }
}
console.log(agg);
console.log([...labels].sort((a, b) => b[1] - a[1]).slice(0, 15));
