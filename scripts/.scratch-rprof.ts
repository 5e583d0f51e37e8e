import { readFileSync } from 'node:fs';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
const text = (() => { let t = ''; for (const l of readFileSync('/work/shared/datasets/injection/bipia_train_tool_output.jsonl','utf8').split('\n')) if (l) t += JSON.parse(l).text + '\n\n'; return t.replace(/[^\x00-\x7f]/g, ' '); })();
for (let i = 0; i < 30; i++) detectInjectionRules(text, { deadline: Infinity });
