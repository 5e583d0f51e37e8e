import { readFileSync } from 'node:fs';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
import { classifierLogit } from '../src/inspect/injection/classifier.ts';
import { BUCKETS } from '../src/inspect/injection/features.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
const which = process.argv[2] ?? 'ascii';
if (which === 'ascii') text = text.replace(/[^\x00-\x7f]/g, ' ');
if (which === 'vi') text = 'Tiếng Việt là ngôn ngữ chính thức của Việt Nam. Hôm nay trời đẹp, chúng tôi đi dạo quanh hồ và uống cà phê. '.repeat(30000);
console.log('MB', (text.length/1e6).toFixed(2));
const weights = new Float32Array(BUCKETS).map(() => Math.random() - 0.5);
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  const f = detectInjectionRules(text, { deadline: Infinity });
  let t1 = performance.now();
  const l = classifierLogit({ bias: 0, weights }, text);
  let t2 = performance.now();
  console.log('rules', (t1-t0).toFixed(1), 'ms', (text.length/1e3/(t1-t0)).toFixed(1), 'MB/s', f.length, '| classifier', (t2-t1).toFixed(1), 'ms', (text.length/1e3/(t2-t1)).toFixed(1), 'MB/s', l.toFixed(2));
}
