import { readFileSync } from 'node:fs';
import { createInjectionScorer } from '../src/inspect/injection/index.ts';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
import { classifierLogit, loadInjectionModel } from '../src/inspect/injection/classifier.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
const which = process.argv[2] ?? 'ascii';
if (which === 'ascii') text = text.replace(/[^\x00-\x7f]/g, ' ');
if (which === 'vi') text = 'Tiếng Việt là ngôn ngữ chính thức của Việt Nam. Hôm nay trời đẹp, chúng tôi đi dạo quanh hồ và uống cà phê. '.repeat(10000);
if (which === 'lorem') text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. '.repeat(5000);
const scorer = createInjectionScorer();
const model = loadInjectionModel();
const mb = text.length / 1e6;
console.log(which, 'MB', mb.toFixed(2));
for (let i = 0; i < 5; i++) {
  const t0 = performance.now(); const r = scorer.score(text, 'tool_output', { deadline: Infinity }); const t1 = performance.now();
  detectInjectionRules(text, { deadline: Infinity }); const t2 = performance.now();
  classifierLogit(model.classifier, text); const t3 = performance.now();
  // many small strings (typical JSON values)
  const pieces = text.match(/[^\n]{1,400}/g) ?? []; const t4 = performance.now();
  for (const p of pieces) scorer.score(p, 'tool_output', { deadline: Infinity });
  const t5 = performance.now();
  console.log(`scorer ${(mb*1000/(t1-t0)).toFixed(1)} MB/s (score ${r.score.toFixed(3)}) | rules ${(mb*1000/(t2-t1)).toFixed(1)} | classifier ${(mb*1000/(t3-t2)).toFixed(1)} | ${pieces.length} lines ${(mb*1000/(t5-t4)).toFixed(1)} MB/s`);
}
