import { readFileSync } from 'node:fs';
import { detectInjectionRules } from '../src/inspect/injection/rules.ts';
const text = readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').repeat(30);
for (let i = 0; i < 30; i++) detectInjectionRules(text, { deadline: Infinity });
