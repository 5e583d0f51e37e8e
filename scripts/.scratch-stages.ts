import { readFileSync } from 'node:fs';
import { matchPhrases } from '../src/inspect/injection/phrases.ts';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
import { normalizeInto } from '../src/inspect/injection/features.ts';
import { loadInjectionModel, classifierLogit } from '../src/inspect/injection/classifier.ts';
import { createInjectionScorer } from '../src/inspect/injection/index.ts';
import { foldText } from '../src/inspect/injection/fold.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
if (process.argv[2] === 'ascii') text = Buffer.from(text.replace(/[^\x00-\x7f]/g, ' '), 'latin1').toString('latin1');
if (process.argv[2] === 'prose') text = readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').repeat(30);
if (process.argv[2] === 'json') text = JSON.stringify(Array.from({length: 4000}, (_, i) => ({ id: i, name: 'Customer ' + i, email: `user${i}@example.com`, notes: 'Called about the invoice; will pay next week. Order #' + (1000 + i) + ' shipped.', tags: ['vip', 'eu'] })));
const m = loadInjectionModel();
const scorer = createInjectionScorer();
const mb = text.length / 1e6;
const time = (f: () => unknown) => { let best = Infinity; for (let i = 0; i < 7; i++) { const t = performance.now(); f(); best = Math.min(best, performance.now() - t); } return best / mb; };
console.log(process.argv[2], 'MB', mb.toFixed(2), '(ms per MB)');
console.log('fold', time(() => foldText(text)).toFixed(2), 'phrases', time(() => matchPhrases(text)).toFixed(2), 'rules all', time(() => detectInjectionRules(text, { deadline: Infinity })).toFixed(2));
console.log('normalize', time(() => normalizeInto(text, null)).toFixed(2), 'classifier', time(() => classifierLogit(m.classifier, text)).toFixed(2));
const whole = time(() => scorer.score(text, 'tool_output', { deadline: Infinity }));
console.log('scorer', whole.toFixed(2), 'ms/MB =', (1000 / whole).toFixed(1), 'MB/s');
