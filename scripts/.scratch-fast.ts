import { readFileSync } from 'node:fs';
import { normalizeInto, FeatureBlocks } from '../src/inspect/injection/features.ts';
import { loadInjectionModel } from '../src/inspect/injection/classifier.ts';
const FNV_BASIS = 0x811c9dc5, FNV_PRIME = 0x01000193, WORD_BASIS = 0x050c5d1f, SENTENCE_START = 0x1b873593, MASK = (1<<18)-1;
function fast(units: Uint16Array, weights: Float32Array, sums: Float64Array, counts: Int32Array): number {
  const length = units.length;
  let word = 0, inWord = false, prev = 0, hasPrev = false, sentence = true;
  let block = 0, blockEnd = 64, sum = 0, count = 0;
  const last = length - 3;
  for (let p = 0; p < length; p++) {
    if (p === blockEnd) { sums[block] = sum; counts[block] = count; block++; sum = 0; count = 0; blockEnd += 64; if (length - blockEnd < 32) blockEnd = length; }
    const code = units[p]!;
    let h = Math.imul(FNV_BASIS ^ code, FNV_PRIME);
    if (p < last) {
      h = Math.imul(h ^ units[p + 1]!, FNV_PRIME); sum += weights[(h ^ (h >>> 18)) & MASK]!;
      h = Math.imul(h ^ units[p + 2]!, FNV_PRIME); sum += weights[(h ^ (h >>> 18)) & MASK]!;
      h = Math.imul(h ^ units[p + 3]!, FNV_PRIME); sum += weights[(h ^ (h >>> 18)) & MASK]!;
      count += 3;
    } else {
      for (let n = p + 1; n < length && n < p + 4; n++) { h = Math.imul(h ^ units[n]!, FNV_PRIME); sum += weights[(h ^ (h >>> 18)) & MASK]!; count++; }
    }
    if ((code >= 0x61 && code <= 0x7a) || code === 0x30 || (code >= 0x80 && !((code >= 0x2000 && code <= 0x2bff) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff0f) || (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xd800 && code <= 0xdfff)))) {
      if (!inWord) { inWord = true; word = WORD_BASIS; }
      word = Math.imul(word ^ code, FNV_PRIME);
      continue;
    }
    if (inWord) {
      inWord = false;
      const u = Math.imul(word ^ 0x2e, FNV_PRIME); sum += weights[(u ^ (u >>> 18)) & MASK]!; count++;
      if (sentence || hasPrev) {
        let pair = Math.imul((sentence ? SENTENCE_START : prev) ^ 0x7f4a7c15, 0x85ebca6b) ^ word;
        pair = Math.imul(pair ^ (pair >>> 13), 0xc2b2ae35);
        sum += weights[(pair ^ (pair >>> 18)) & MASK]!; count++;
      }
      prev = word; hasPrev = true; sentence = false;
    }
    if (code === 0x0a || code === 0x3f || code === 0x21) sentence = true;
    else if (code === 0x2e || code === 0x3a || code === 0x3b) { const next = p + 1 < length ? units[p + 1]! : 0x20; if (next === 0x20 || next === 0x0a) sentence = true; }
  }
  sums[block] = sum; counts[block] = count;
  return block + 1;
}
let text = readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').repeat(30);
const m = loadInjectionModel();
const mb = text.length / 1e6;
const u = normalizeInto(text, null);
const sums = new Float64Array(u.length / 64 + 2), counts = new Int32Array(u.length / 64 + 2);
const time = (f: () => unknown) => { let best = Infinity; for (let i = 0; i < 9; i++) { const t = performance.now(); f(); best = Math.min(best, performance.now() - t); } return (best / mb).toFixed(2); };
console.log('fast', time(() => fast(u, m.classifier.weights, sums, counts)));
const b = new FeatureBlocks(u); const ref: number[] = []; while (b.sumNextBlock(m.classifier.weights) >= 0) ref.push(b.sum);
const nb = fast(u, m.classifier.weights, sums, counts);
console.log('blocks', ref.length, nb, 'maxdiff', Math.max(...ref.map((x, i) => Math.abs(x - sums[i]!))));
console.log('walk', time(() => { const b = new FeatureBlocks(u); while (b.sumNextBlock(m.classifier.weights) >= 0); }));
