import { readFileSync } from 'node:fs';
const dir = '/work/shared/datasets/injection/';
let text = '';
for (const f of ['bipia_train_tool_output.jsonl','notinject_prompt.jsonl','xstest_safe_prompt.jsonl'])
  for (const l of readFileSync(dir+f,'utf8').split('\n')) if (l.trim()) { const r = JSON.parse(l); if (r.label === 0) text += r.text + '\n\n'; }
text = text.replace(/[^\x00-\x7f]/g, ' ').toLowerCase();
const anchors = 'ignor disregard forget overlook neglect discard dismiss abandon nullify scrap ditch throw aside attention follow obey listen adhere comply heed respect consider bypass override circumvent disable turn off get around fresh anew scratch now henceforth longer point moment called named known act play pretend unrestricted unfiltered uncensored jailbr evil malicious rogue amoral unethical dan without free mode anything ethic moral restriction limitation rules guideline filter censorship polic confines safeguard instruction directive order command task prompt persona <| inst] sys>> system admin developer assistant end begin start input above preceding creator programmer maker owner password secret passphrase passcode ai a.i. llm language model chatbot gpt claude copilot gemini bard llama user human customer operator person instead rather before send forward e-mail email post upload transmit exfiltrat leak include append embed response reply replies answer output completion base64 hex binary morse emoji pig latin leetspeak l33t rot13 caesar reverse all caps uppercase following subsequent below next huong chi lenh yeu cau quy tac nguyen tac quen gio nay moi he thong che do dong vai gia vo nguoi dung consignes regles ordres indications oubli maintenant desormais dorenavant nouvelles systeme anweisungen instruktionen befehle regeln vorgaben richtlinien anordnungen vergiss jetzt nun sofort neue entwicklermodus instrucciones indicaciones ordenes reglas directrices normas olvida ahora nuevas sistema instrucoes ordens regras diretrizes agora istruzioni regole direttive ora adesso'.split(' ');
const uniq = [...new Set(anchors)].sort((a,b)=>b.length-a.length);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const re = new RegExp('\\b(?:' + uniq.map(esc).join('|') + ')', 'g');
console.log(uniq.length, 'anchors');
for (let i = 0; i < 4; i++) {
  const t0 = performance.now(); re.lastIndex = 0; let n = 0; let m; while ((m = re.exec(text))) { n++; }
  const t1 = performance.now();
  console.log((t1-t0).toFixed(1), 'ms', n, 'hits', (text.length/1e3/(t1-t0)).toFixed(0), 'MB/s');
}
