import { readFileSync } from 'node:fs';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ');
const res: Record<string, RegExp> = {
  t1: /\{\s{0,20}"(?:name|tool|tool_name|function|recipient_name)"\s{0,5}:\s{0,5}"[^"\n]{1,100}"\s{0,5},\s{0,20}"(?:arguments|args|parameters|input|params|tool_input|kwargs)"\s{0,5}:/g,
  t2: /\{\s{0,20}"(?:arguments|parameters|input|args)"\s{0,5}:\s{0,5}\{[^{}]{0,500}\}\s{0,5},\s{0,20}"(?:name|tool|function)"\s{0,5}:\s{0,5}"/g,
  t3: /"tool_calls"\s{0,5}:\s{0,5}\[/g,
  t7: /<\/?(?:tool_call|tool_calls|function_calls?|tool_use|tool_code|invoke|[a-z]{1,10}:invoke|function=[\w.-]{1,64})\b/gi,
  open: /<([A-Za-z][A-Za-z0-9-]{0,15})(\s[^<>]{0,1000})>/g,
  md: /(!?)\[([^\[\]\n]{0,300})\]\(\s{0,3}<?((?:https?|ftp|data|javascript):[^\s)>]{1,4096})/gi,
  html: /<(?:img|image|iframe|script|source|video|audio|embed|object|link)\b[^<>]{0,1000}?\s(?:src|href|data|srcset)\s{0,3}=\s{0,3}["']?((?:https?|data|javascript):[^"'\s<>]{1,4096})/gi,
};
for (let i = 0; i < 3; i++) {
  const out: string[] = [];
  for (const [k, re] of Object.entries(res)) { const t0 = performance.now(); re.lastIndex = 0; let n = 0; while (re.exec(text)) n++; out.push(k + ' ' + (performance.now()-t0).toFixed(2) + '/' + n); }
  let t0 = performance.now(); let c = 0; for (let j = 0; j < text.length; j++) { const x = text.charCodeAt(j); if (x < 128) c++; } out.push('loop ' + (performance.now()-t0).toFixed(2));
  t0 = performance.now(); for (const nd of ['<!--', '](', '://', 'functions.', 'to=', '<|', '"', '<']) text.includes(nd); out.push('includes ' + (performance.now()-t0).toFixed(2));
  console.log(out.join(' | '));
}
