import { readFileSync } from 'node:fs';
import { normalizeForFeatures, FeatureBlocks, BUCKETS } from '../src/inspect/injection/features.ts';
import { classifierLogit } from '../src/inspect/injection/classifier.ts';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ');
text = text + text + text;
const weights = new Float32Array(BUCKETS).map(() => Math.random() - 0.5);
const w16 = Int16Array.from(weights, (x) => Math.round(x * 1000));
for (let i = 0; i < 5; i++) {
  let t0 = performance.now();
  const u = normalizeForFeatures(text);
  let t1 = performance.now();
  const b = new FeatureBlocks(u); let n = 0; let c;
  while ((c = b.nextBlock()) >= 0) n += c;
  let t2 = performance.now();
  const b2 = new FeatureBlocks(u); let s = 0;
  while ((c = b2.nextBlock()) >= 0) { const buf = b2.buffer; for (let j = 0; j < c; j++) s += weights[buf[j]]; }
  let t3 = performance.now();
  const b3 = new FeatureBlocks(u); let s3 = 0;
  while ((c = b3.nextBlock()) >= 0) { const buf = b3.buffer; for (let j = 0; j < c; j++) s3 += w16[buf[j]]; }
  let t4 = performance.now();
  const mb = text.length / 1e3;
  console.log('norm', (mb/(t1-t0)).toFixed(0), 'MB/s; features', (mb/(t2-t1)).toFixed(0), 'MB/s; feat+f32', (mb/(t3-t2)).toFixed(0), '; feat+i16', (mb/(t4-t3)).toFixed(0), 'feat/char', (n/u.length).toFixed(2));
}
