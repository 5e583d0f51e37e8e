import { readFileSync } from 'node:fs';
import { normalizeInto, blockSums, blockCount } from '../src/inspect/injection/features.ts';
import { loadInjectionModel } from '../src/inspect/injection/classifier.ts';
const m = loadInjectionModel();
const texts: Record<string, string> = { prose: readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').repeat(30) };
let t = ''; for (const l of readFileSync('/work/shared/datasets/injection/bipia_train_tool_output.jsonl','utf8').split('\n')) if (l) t += JSON.parse(l).text + '\n\n';
texts.ascii = t.replace(/[^\x00-\x7f]/g, ' ');
for (const [name, text] of Object.entries(texts)) {
  const mb = text.length / 1e6;
  const time = (f: () => unknown) => { let best = Infinity; for (let i = 0; i < 9; i++) { const t = performance.now(); f(); best = Math.min(best, performance.now() - t); } return (best / mb).toFixed(2); };
  const u = normalizeInto(text, null);
  const sums = new Float64Array(blockCount(u.length) + 1), counts = new Int32Array(sums.length);
  console.log(name, /[^\x00-\x7f]/.test(text), 'normalize', time(() => normalizeInto(text, null)), 'sums', time(() => blockSums(u, m.classifier.weights, sums, counts, Infinity)), 'units/char', (u.length / text.length).toFixed(2));
}
