import { readFileSync } from 'node:fs';
import { secretDetectors } from '../src/inspect/detectors/secrets.ts';
let t = ''; for (const l of readFileSync('/work/shared/datasets/injection/bipia_train_tool_output.jsonl','utf8').split('\n')) if (l) t += JSON.parse(l).text + '\n\n';
const texts: Record<string, string> = { bipia: t, prose: readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').repeat(30), json: JSON.stringify(Array.from({length: 4000}, (_, i) => ({ id: i, token_count: i * 3, name: 'Customer ' + i, email: `user${i}@example.com`, notes: 'Called about the invoice; password reset done. Order #' + (1000 + i) + ' shipped.' }))) };
const ds = secretDetectors();
for (const [n, text] of Object.entries(texts)) {
  const mb = text.length / 1e6; const per: string[] = [];
  let total = 0;
  for (const d of ds) { let best = Infinity; for (let i = 0; i < 5; i++) { const s = performance.now(); d.detect(text, { deadline: Infinity }); best = Math.min(best, performance.now() - s); } total += best; if (best / mb > 0.5) per.push(`${d.name}:${(best / mb).toFixed(1)}`); }
  console.log(n, 'total', (total / mb).toFixed(1), 'ms/MB', per.join(' '));
}
