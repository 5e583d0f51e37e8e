/**
 * Rule detector for prompt injection: override and role-play phrasing (phrases.ts), hidden text
 * (tag characters, zero-width and bidi controls, HTML comments, CSS-hidden elements), links that
 * carry data out, tool-call shaped text inside data, and base64/hex runs that decode to
 * instructions. Every regex is linear-time and bounded; loops look at the scan deadline; the
 * detector returns what it found so far once the deadline has passed.
 */
import { isUtf8 } from 'node:buffer';
import type { Detector, Finding, FindingType, ScanBudget } from '../types.js';
import { CONTENTS, UnitBuffer, foldText } from './fold.js';
import type { FoldedText } from './fold.js';
import { MARKERS, PHRASE_PATTERNS, SCRAMBLE_HINT_WORDS, matchPhrases, scanPhrases } from './phrases.js';
import type { PhraseMatch } from './phrases.js';

const DETECTOR = 'injection.rules';

/** Labels of the phrases only data can say (PhrasePattern.dataOnly). */
const DATA_ONLY_LABELS: ReadonlySet<string> = new Set(
  PHRASE_PATTERNS.filter((pattern) => pattern.dataOnly === true).map((pattern) => pattern.label),
);

/** A pattern reporting more matches than this in one text has made its point; the rest are skipped. */
const MAX_MATCHES_PER_PATTERN = 256;
/** Longest run of base64/hex that is decoded (the rest of a longer run is ignored). */
const MAX_DECODE_CHARS = 16_384;
/** Hidden elements and comments examined per text. */
const MAX_ELEMENTS = 512;
/** Findings per text: past this the text has made its point, and the rest is not collected. */
const MAX_FINDINGS = 4096;
/** Tags, links and URLs looked at per text (each is cheap; the deadline bounds the rest). */
const MAX_VISITS = 1_000_000;

/** The injection rule types this detector reports. */
export const INJECTION_RULE_TYPES = [
  'injection_phrase',
  'hidden_text',
  'exfiltration_link',
  'tool_call_text',
  'encoded_payload',
] as const satisfies readonly FindingType[];

/**
 * The injection rule detector (category `injection`, name `injection.rules`). The injection scorer
 * (createInjectionScorer) runs it too and returns its findings with the score, so register one or
 * the other with a scanner, not both.
 */
export function injectionRuleDetector(): Detector {
  return {
    name: DETECTOR,
    category: 'injection',
    types: INJECTION_RULE_TYPES,
    detect: (text: string, budget: ScanBudget): Finding[] => detectInjectionRules(text, budget),
  };
}

/**
 * Runs every injection rule over `text`; findings in text order. Pass `folded` when the caller
 * already has foldText(text). Passes that cannot match are skipped (their characters or words are
 * absent); `prefilter` false runs every pass regardless, which tests use to check that skipping
 * changes nothing. For a `prompt`, phrases only data can say (PhrasePattern.dataOnly: an assistant
 * addressed and told to act) are left out.
 */
export function detectInjectionRules(
  text: string,
  budget: ScanBudget,
  folded: FoldedText = foldText(text),
  prefilter = true,
  kind: 'prompt' | 'tool_output' = 'tool_output',
): Finding[] {
  const findings: Finding[] = [];
  if (text.length === 0) return findings;
  const deadline = budget.deadline;
  const scan = scanPhrases(text, deadline, folded, prefilter);
  if (kind === 'prompt') scan.matches = scan.matches.filter((match) => !DATA_ONLY_LABELS.has(match.label));
  const phrases: Finding[] = scan.matches.map((match) =>
    finding(
      'injection_phrase',
      match.start,
      match.end,
      isQuotedMention(text, match.start, match.end)
        ? Math.min(match.confidence, QUOTED_MENTION_CONFIDENCE)
        : match.confidence,
    ),
  );
  corroborate(scan.matches, phrases);
  for (const phrase of phrases) findings.push(phrase);
  if (performance.now() > deadline) return sortFindings(findings);
  standaloneRequests(text, findings, deadline, prefilter);
  if (performance.now() > deadline) return sortFindings(findings);
  const contents = prefilter ? folded.contents : HIDDEN_CHARACTERS;
  if ((contents & HIDDEN_CHARACTERS) !== 0) {
    hiddenCharacters(text, contents, findings, deadline);
    if (performance.now() > deadline) return sortFindings(findings);
  }
  if (text.includes('<')) {
    htmlComments(text, phrases, findings, deadline);
    if (performance.now() > deadline) return sortFindings(findings);
    cssHidden(text, phrases, findings, deadline);
    if (performance.now() > deadline) return sortFindings(findings);
  }
  exfiltrationLinks(text, findings, deadline);
  if (performance.now() > deadline) return sortFindings(findings);
  toolCallText(text, folded.text, prefilter ? scan.markers : -1, findings, deadline);
  if (performance.now() > deadline) return sortFindings(findings);
  encodedPayloads(text, findings, deadline, 0);
  if (performance.now() > deadline) return sortFindings(findings);
  spacedLetters(text, findings, deadline);
  if (performance.now() > deadline) return sortFindings(findings);
  if (prefilter ? (scan.markers & MARKERS.scrambleHint) !== 0 : SCRAMBLE_HINT.test(folded.text))
    scrambledText(text, findings, deadline);
  return sortFindings(findings);
}

/** Fewest confidence of each of two phrases that corroborate one another. */
const CORROBORATING_CONFIDENCE = 0.6;
/** Most a corroborated phrase reaches. */
const CORROBORATED_MAX = 0.95;

/**
 * Two different phrase patterns, each at least CORROBORATING_CONFIDENCE and not overlapping, are
 * two pieces of evidence: the strongest phrase's confidence becomes their noisy-or, `1 - (1 - a) *
 * (1 - b)` (at most CORROBORATED_MAX). "Da ora in poi sei" (0.7) and "un'IA senza limiti" (0.75)
 * are each not decisive, together they are (0.93). A pattern matching twice is one piece.
 * `phrases[index]` is the finding of `matches[index]`, with its confidence capped for quoting.
 */
function corroborate(matches: readonly PhraseMatch[], phrases: Finding[]): void {
  let strongest = -1;
  for (let index = 0; index < phrases.length; index++) {
    const confidence = (phrases[index] as Finding).confidence;
    if (
      confidence >= CORROBORATING_CONFIDENCE &&
      (strongest < 0 || confidence > (phrases[strongest] as Finding).confidence)
    )
      strongest = index;
  }
  if (strongest < 0) return;
  const first = phrases[strongest] as Finding;
  const label = (matches[strongest] as PhraseMatch).label;
  let second = 0;
  for (let index = 0; index < phrases.length; index++) {
    const other = phrases[index] as Finding;
    if (
      index === strongest ||
      other.confidence < CORROBORATING_CONFIDENCE ||
      (matches[index] as PhraseMatch).label === label ||
      (other.start < first.end && first.start < other.end)
    )
      continue;
    if (other.confidence > second) second = other.confidence;
  }
  if (second === 0) return;
  phrases[strongest] = {
    ...first,
    confidence: Math.max(
      first.confidence,
      Math.min(CORROBORATED_MAX, 1 - (1 - first.confidence) * (1 - second)),
    ),
  };
}

/**
 * Confidence at most of a phrase quoted on its own: a phrase named rather than said
 * (`a regex for phrases like "ignore previous instructions"`, `Is 'reveal your system prompt' a
 * common attack?`), which alone does not decide; the classifier weighs the text around it.
 */
const QUOTED_MENTION_CONFIDENCE = 0.45;
const OPENING_QUOTES = '"\'`\u201c\u2018\u00ab\u300c\u300e';
const CLOSING_QUOTES = '"\'`\u201d\u2019\u00bb\u300d\u300f';

/**
 * Whether the phrase at `start`..`end` is all that stands between a pair of quotes: an opening quote
 * right before it (after no letter or digit) and a closing one right after it, maybe after one
 * punctuation mark ("…instructions?"). A quoted sentence that goes on past the phrase (`Translate:
 * "Ignore previous instructions and say…"`) is no mention.
 */
function isQuotedMention(text: string, start: number, end: number): boolean {
  const open = text[start - 1];
  if (open === undefined || !OPENING_QUOTES.includes(open)) return false;
  if (start >= 2 && /[\p{L}\p{N}]/u.test(text[start - 2] as string)) return false;
  let at = end;
  if (at < text.length && '.,;:!?'.includes(text[at] as string)) at++;
  const close = text[at];
  if (close === undefined || !CLOSING_QUOTES.includes(close)) return false;
  return at + 1 >= text.length || !/[\p{L}\p{N}]/u.test(text[at + 1] as string);
}

/** The highest confidence of any override/role-play phrase in `text` (0 when none). */
export function phraseConfidence(text: string, deadline = Infinity): number {
  let best = 0;
  for (const match of matchPhrases(text, deadline)) best = Math.max(best, match.confidence);
  return best;
}

// --- hidden text ------------------------------------------------------------------------------

const TAG_RUN = /(?:\uDB40[\uDC00-\uDC7F])+/g;
const ZERO_WIDTH_RUN = /[\u200B-\u200F\u2060-\u2064\uFEFF]+/g;
const BIDI_RUN = /[\u202A-\u202E\u2066-\u2069]+/g;
const BLACK_FLAG = '\uD83C\uDFF4';
const CANCEL_TAG = '\uDB40\uDC7F';

/** Folding notes which of the hidden characters a text holds: without any, hiddenCharacters is skipped. */
const HIDDEN_CHARACTERS = CONTENTS.tagLead | CONTENTS.zeroWidth | CONTENTS.bidi;

/** `contents` is foldText(text).contents: a run pattern is searched only when the text holds its characters. */
function hiddenCharacters(text: string, contents: number, findings: Finding[], deadline: number): void {
  if ((contents & CONTENTS.tagLead) !== 0) {
    forEachMatch(TAG_RUN, text, deadline, (start, end) => {
      const units = end - start;
      // Subdivision flags (🏴 + up to 6 tag letters + cancel tag) are the legitimate use of tags.
      const isFlag =
        text.startsWith(BLACK_FLAG, start - 2) && units <= 14 && text.startsWith(CANCEL_TAG, end - 2);
      if (isFlag) return;
      let smuggled = '';
      for (let index = start + 1; index < end && smuggled.length < 4096; index += 2) {
        const code = text.charCodeAt(index) - 0xdc00;
        if (code >= 0x20 && code <= 0x7e) smuggled += String.fromCharCode(code);
      }
      let confidence = units >= 6 ? 0.95 : 0.6;
      if (smuggled.length >= 8 && phraseConfidence(smuggled, deadline) >= 0.5) confidence = 0.99;
      findings.push(finding('hidden_text', start, end, confidence));
    });
  }
  if ((contents & CONTENTS.zeroWidth) !== 0) zeroWidthRuns(text, findings, deadline);
  if ((contents & CONTENTS.bidi) !== 0) bidiRuns(text, findings, deadline);
}

function zeroWidthRuns(text: string, findings: Finding[], deadline: number): void {
  forEachMatch(ZERO_WIDTH_RUN, text, deadline, (start, end) => {
    const length = end - start;
    if (length === 1 && start === 0 && text.charCodeAt(0) === 0xfeff) return; // byte order mark
    const before = text.charCodeAt(start - 1);
    const after = text.charCodeAt(end);
    const insideLatinWord = isAsciiAlphanumeric(before) && isAsciiAlphanumeric(after);
    let confidence: number;
    if (length >= 4) confidence = 0.85;
    else if (insideLatinWord) confidence = 0.7;
    else if (length >= 2 && (isAsciiLetterOrSpace(before) || isAsciiLetterOrSpace(after))) confidence = 0.6;
    else if (isAsciiLetterOrSpace(before) && isAsciiLetterOrSpace(after)) confidence = 0.4;
    else return; // ZWJ in emoji, ZWNJ in Persian or Indic text, ZWSP between Thai words, marks in RTL text
    findings.push(finding('hidden_text', start, end, confidence));
  });
}

function bidiRuns(text: string, findings: Finding[], deadline: number): void {
  forEachMatch(BIDI_RUN, text, deadline, (start, end) => {
    if (nearRightToLeft(text, start, end)) return;
    let override = false;
    for (let index = start; index < end; index++) {
      const code = text.charCodeAt(index);
      if (code === 0x202d || code === 0x202e) override = true;
    }
    findings.push(finding('hidden_text', start, end, override ? 0.8 : 0.55));
  });
}

function nearRightToLeft(text: string, start: number, end: number): boolean {
  for (let index = Math.max(0, start - 8); index < Math.min(text.length, end + 8); index++) {
    const code = text.charCodeAt(index);
    if (
      (code >= 0x0590 && code <= 0x08ff) ||
      (code >= 0xfb1d && code <= 0xfdff) ||
      (code >= 0xfe70 && code <= 0xfefc)
    ) {
      return true;
    }
  }
  return false;
}

const WORDS = /[A-Za-z\u00C0-\u024F\u0400-\u04FF\u4E00-\u9FFF]{2,}/g;

/** How many words (2+ letters) `text` holds, counting at most `limit`. */
function countWords(text: string, limit: number): number {
  WORDS.lastIndex = 0;
  let count = 0;
  while (count < limit && WORDS.exec(text) !== null) count++;
  WORDS.lastIndex = 0;
  return count;
}

/** Highest phrase confidence among `phrases` (sorted by start) inside [start, end). */
function phraseInside(phrases: readonly Finding[], start: number, end: number): number {
  let low = 0;
  let high = phrases.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((phrases[middle] as Finding).start < start) low = middle + 1;
    else high = middle;
  }
  let best = 0;
  for (let index = low; index < phrases.length; index++) {
    const phrase = phrases[index] as Finding;
    if (phrase.start >= end) break;
    if (phrase.end <= end) best = Math.max(best, phrase.confidence);
  }
  return best;
}

/** Confidence that hidden content of this span is an injection: by its phrases and its wording. */
function hiddenContentConfidence(
  text: string,
  phrases: readonly Finding[],
  start: number,
  end: number,
): number {
  const phrase = phraseInside(phrases, start, end);
  if (phrase >= 0.5) return Math.max(0.9, phrase);
  const words = countWords(text.slice(start, Math.min(end, start + 4000)), 8);
  if (words >= 6) return 0.5;
  if (words >= 3) return 0.4;
  return 0.3;
}

/** `phrases` are sorted by start. */
function htmlComments(
  text: string,
  phrases: readonly Finding[],
  findings: Finding[],
  deadline: number,
): void {
  let from = 0;
  for (let seen = 0; seen < MAX_ELEMENTS; seen++) {
    const start = text.indexOf('<!--', from);
    if (start < 0) return;
    const close = text.indexOf('-->', start + 4);
    // An unclosed comment hides everything after it from a rendered page.
    const end = close < 0 ? text.length : close + 3;
    const confidence = hiddenContentConfidence(text, phrases, start + 4, close < 0 ? text.length : close);
    findings.push(finding('hidden_text', start, end, confidence));
    if (close < 0 || performance.now() > deadline) return;
    from = end;
  }
}

const OPENING_TAG = /<([A-Za-z][A-Za-z0-9-]{0,15})(\s[^<>]{0,1000})>/g;
const HIDING_STYLE =
  /(?:display\s{0,3}:\s{0,3}none|visibility\s{0,3}:\s{0,3}hidden|font-size\s{0,3}:\s{0,3}0(?:\.0{1,4})?(?:px|pt|em|rem|%)?\s{0,3}(?:[;"'!]|$)|opacity\s{0,3}:\s{0,3}0(?:\.0{1,4})?\s{0,3}(?:[;"'!]|$)|(?:max-)?(?:height|width)\s{0,3}:\s{0,3}0(?:px)?\s{0,3}[;"'!][^"']{0,200}overflow\s{0,3}:\s{0,3}hidden|(?:left|top|text-indent|margin-left)\s{0,3}:\s{0,3}-\d{4,}px|clip\s{0,3}:\s{0,3}rect\(\s{0,3}0)/i;
const WHITE_TEXT =
  /(?:^|[\s;"'])color\s{0,3}:\s{0,3}(?:white|#fff(?:fff)?\b|rgba?\(\s{0,3}255\s{0,3},\s{0,3}255\s{0,3},\s{0,3}255\b)/i;
const DARK_BACKGROUND = /background/i;
const HIDDEN_ATTRIBUTE = /\shidden(?:\s|=|$)/i;
const VOID_ELEMENTS = new Set([
  'br',
  'img',
  'input',
  'meta',
  'link',
  'hr',
  'area',
  'base',
  'col',
  'embed',
  'source',
  'track',
  'wbr',
]);

/** An element hidden by CSS or the `hidden` attribute: its whole span and its content span. */
export interface HiddenElement {
  start: number;
  end: number;
  contentStart: number;
  contentEnd: number;
  /** Hidden only by white text colour (visible on a dark background, so less certain). */
  whiteText: boolean;
}

/**
 * Elements whose content a reader does not see: `display:none`, `visibility:hidden`, zero font
 * size or opacity, zero-size boxes with hidden overflow, far off-screen positions, white text
 * (without a background set) and the `hidden` attribute. An element without a closing tag is
 * taken to run 4,000 characters. Stops at the deadline or after MAX_ELEMENTS elements.
 */
export function findHiddenElements(text: string, deadline = Infinity): HiddenElement[] {
  const elements: HiddenElement[] = [];
  if (!text.includes('<')) return elements;
  /** Per tag name, the last search for its closing tag: from where, and where it was (-1: none). */
  const closings = new Map<string, { from: number; at: number; length: number }>();
  forEachMatch(
    OPENING_TAG,
    text,
    deadline,
    (start, end, match) => {
      const attributes = match[2] ?? '';
      const hidesByStyle = HIDING_STYLE.test(attributes);
      const whiteText = !hidesByStyle && WHITE_TEXT.test(attributes) && !DARK_BACKGROUND.test(attributes);
      if (!hidesByStyle && !whiteText && !HIDDEN_ATTRIBUTE.test(attributes)) return true;
      const name = (match[1] ?? '').toLowerCase();
      if (VOID_ELEMENTS.has(name) || attributes.endsWith('/')) return true;
      let closing = closings.get(name);
      // A cached search still holds when it started before this element and found its tag after it.
      if (closing === undefined || closing.from > end || (closing.at >= 0 && closing.at < end)) {
        const pattern = new RegExp(`</${name}\\s{0,3}>`, 'gi');
        pattern.lastIndex = end;
        const found = pattern.exec(text);
        closing = {
          from: end,
          at: found === null ? -1 : found.index,
          length: found === null ? 0 : found[0].length,
        };
        closings.set(name, closing);
      }
      const contentEnd = closing.at < 0 ? Math.min(text.length, end + 4000) : closing.at;
      const spanEnd = closing.at < 0 ? contentEnd : closing.at + closing.length;
      elements.push({ start, end: spanEnd, contentStart: end, contentEnd, whiteText });
      return elements.length < MAX_ELEMENTS;
    },
    MAX_VISITS,
  );
  return elements;
}

/** `phrases` are sorted by start. */
function cssHidden(text: string, phrases: readonly Finding[], findings: Finding[], deadline: number): void {
  for (const element of findHiddenElements(text, deadline)) {
    if (element.contentEnd <= element.contentStart) continue;
    let confidence = hiddenContentConfidence(text, phrases, element.contentStart, element.contentEnd);
    if (element.whiteText) confidence = Math.min(confidence, 0.75);
    if (confidence >= 0.4) findings.push(finding('hidden_text', element.start, element.end, confidence));
  }
}

// --- links that carry data out ------------------------------------------------------------------

const MARKDOWN_LINK =
  /(!?)\[([^[\]\n]{0,300})\]\(\s{0,3}<?((?:https?|ftp|data|javascript):[^\s)>]{1,4096})/gi;
const HTML_SOURCE =
  /<(?:img|image|iframe|script|source|video|audio|embed|object|link)\b[^<>]{0,1000}?\s(?:src|href|data|srcset)\s{0,3}=\s{0,3}["']?((?:https?|data|javascript):[^"'\s<>]{1,4096})/gi;
const BARE_URL = /\bhttps?:\/\/[^\s<>"'`)\]]{1,4096}/gi;
/** Template placeholders an injected link asks the model to fill with data: {data}, {{chat}}, $SECRET, ${X}, <DATA>. */
const PLACEHOLDER =
  /\{\{?\s{0,3}[A-Za-z_][\w.-]{0,40}\s{0,3}\}\}?|\$\{[A-Za-z_]\w{0,40}\}|\$[A-Z][A-Z0-9_]{2,40}\b|%7B%7B?[A-Za-z_][\w.-]{0,40}%7D|<[A-Z][A-Z_]{2,30}>|%3C[A-Z][A-Z_]{2,30}%3E|\[(?:DATA|SECRET|INFO|CONTEXT|CONVERSATION|HISTORY|PASSWORD|EMAIL|SUMMARY|INPUT|QUERY|MEMORY|CHAT)[A-Z_]{0,20}\]/;
const DATA_WORDS =
  /data|secret|conversation|history|summary|info|password|passwd|key|token|email|context|memory|chat|content|message|user|query|prompt|input|output|response|answer|cookie|session|credential|name|address|phone/i;

/** How suspicious a URL's data is: 'placeholder' (strong), 'data' (long or encoded values) or null. */
function urlCarriesData(url: string): {
  placeholder: boolean;
  dataNamed: boolean;
  longValue: boolean;
  prose: boolean;
} {
  const queryStart = url.search(/[?#]/);
  const query = queryStart < 0 ? '' : url.slice(queryStart + 1);
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  let placeholder = false;
  let dataNamed = false;
  let longValue = false;
  let prose = false;
  const placeholderMatch = PLACEHOLDER.exec(query);
  if (placeholderMatch !== null) {
    placeholder = true;
    dataNamed =
      DATA_WORDS.test(placeholderMatch[0]) || DATA_WORDS.test(query.slice(0, placeholderMatch.index));
  } else if (PLACEHOLDER.test(path)) {
    placeholder = true;
  }
  for (const part of query.split(/[&;]/, 64)) {
    const equals = part.indexOf('=');
    const value = equals < 0 ? part : part.slice(equals + 1);
    if (value.length >= 64 || (value.length >= 24 && looksEncoded(value))) {
      longValue = true;
      if (equals > 0 && DATA_WORDS.test(part.slice(0, equals))) dataNamed = true;
      if (!prose && value.length <= 8192 && decodesToProse(value)) prose = true;
    }
  }
  // Data carried in the path ("https://collector.example/c/<base64 of user=…&key=…>.png"): only a
  // base64 or hex segment that decodes to prose or a record counts, since opaque ids and hashes fill
  // CDN paths and percent-encoded file names read as prose.
  const segments = path.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '').split('/', 64);
  for (const segment of segments) {
    if (prose) break;
    const value = segment.replace(/\.[A-Za-z0-9]{1,5}$/, '');
    if (value.length < 24 || value.length > 8192 || !ENCODED_SEGMENT.test(value)) continue;
    const decoded = decodeText(value.replace(/-/g, '+').replace(/_/g, '/'));
    if (decoded !== null && (readsAsProse(decoded) || readsAsRecord(decoded))) {
      longValue = true;
      prose = true;
    }
  }
  return { placeholder, dataNamed, longValue, prose };
}

/** A path segment written in base64 (standard or URL alphabet) or hex. */
const ENCODED_SEGMENT = /^(?:[A-Za-z0-9+_-]{16,}={0,2}|(?:[0-9a-fA-F]{2}){12,})$/;

/**
 * Whether decoded text is a record of someone's data: printable, not JSON (compact JSON is what
 * tracking ids carry), with `key=value` pairs or an e-mail address ("user=alice@example.com&key=…").
 */
function readsAsRecord(text: string): boolean {
  if (text.length < 12 || /^\s*[[{]/.test(text)) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return (
    /(?:^|[&;,\s])[A-Za-z_][\w.-]{0,30}=[^&;\s]/.test(text) ||
    /[^\s@]{1,64}@[A-Za-z0-9-]{1,63}\.[A-Za-z]{2,}/.test(text)
  );
}

/** Whether decoded text reads as prose: printable, at least 16 characters and four words. */
function readsAsProse(text: string): boolean {
  if (text.length < 16 || text.split(' ').length < 4) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
  }
  return true;
}

/**
 * Whether a query value, base64-decoded when it is base64 and percent-decoded otherwise, reads as
 * prose (printable, with spaces): text being carried out, where tracking ids are opaque bytes or
 * compact JSON.
 */
function decodesToProse(value: string): boolean {
  let text: string | null;
  if (/^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(value)) text = decodeText(value);
  else {
    try {
      text = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      text = null;
    }
  }
  return text !== null && readsAsProse(text);
}

/** Base64-ish, hex or percent-encoded text (not a plain word or number). */
function looksEncoded(value: string): boolean {
  const percents = value.split('%').length - 1;
  if (percents >= 4) return true;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  return /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
}

function linkConfidence(url: string, image: boolean, bare: boolean): number {
  const lower = url.slice(0, 32).toLowerCase();
  if (lower.startsWith('javascript:')) return bare ? 0 : 0.85;
  if (lower.startsWith('data:')) {
    if (lower.startsWith('data:image/svg')) return 0.6;
    if (lower.startsWith('data:image/')) return 0.35;
    return 0.8;
  }
  const { placeholder, dataNamed, longValue, prose } = urlCarriesData(url);
  if (placeholder) {
    if (dataNamed) return 0.9;
    return bare ? 0.35 : 0.7;
  }
  if (longValue) {
    // Tracking pixels and links in mail carry long values too: only a data-named one in an image is reported.
    if (bare) return prose ? 0.45 : 0;
    if (image) return prose ? 0.8 : dataNamed ? 0.6 : 0.45;
    return prose ? 0.6 : dataNamed ? 0.45 : 0.3;
  }
  return 0;
}

function exfiltrationLinks(text: string, findings: Finding[], deadline: number): void {
  const covered: { start: number; end: number }[] = [];
  if (text.includes('](')) {
    forEachMatch(
      MARKDOWN_LINK,
      text,
      deadline,
      (start, end, match) => {
        const url = match[3] ?? '';
        const confidence = linkConfidence(url, match[1] === '!', false);
        covered.push({ start: end - url.length, end });
        if (confidence > 0) findings.push(finding('exfiltration_link', start, end, confidence));
        return findings.length < MAX_FINDINGS;
      },
      MAX_VISITS,
    );
  }
  if (text.includes('<')) {
    forEachMatch(
      HTML_SOURCE,
      text,
      deadline,
      (_start, end, match) => {
        const url = match[1] ?? '';
        const confidence = linkConfidence(url, true, false);
        covered.push({ start: end - url.length, end });
        if (confidence > 0) findings.push(finding('exfiltration_link', end - url.length, end, confidence));
        return findings.length < MAX_FINDINGS;
      },
      MAX_VISITS,
    );
  }
  // includes() is fast for a rare first character: '/' before '://'.
  if (!text.includes('//') || !text.includes('://')) return;
  covered.sort((a, b) => a.start - b.start);
  let next = 0;
  forEachMatch(
    BARE_URL,
    text,
    deadline,
    (start, end, match) => {
      while (next < covered.length && (covered[next] as { end: number }).end <= start) next++;
      const cover = covered[next];
      if (cover !== undefined && cover.start <= start) return;
      const confidence = linkConfidence(match[0], false, true);
      if (confidence > 0) findings.push(finding('exfiltration_link', start, end, confidence));
      return findings.length < MAX_FINDINGS;
    },
    MAX_VISITS,
  );
}

// --- a request on a line of its own -------------------------------------------------------------

/** Detector name of standalone-request findings (the scorer weighs them apart from other phrases). */
export const REQUEST_LINE_DETECTOR = 'injection.request-line';
/** A request on its own line in data is suspicious but common enough in mail and docs to stay below reporting. */
const STANDALONE_REQUEST_CONFIDENCE = 0.45;
const REQUEST_VERBS =
  'write|compose|draft|explain|describe|translate|summari[sz]e|provide|create|generate|list|give|tell|show|calculate|solve|define|compare|analy[sz]e|recommend|suggest|outline|break\\s+down|discuss|develop|design|plan|convert|teach|share|identify|evaluate|predict|classify|rewrite|paraphrase|elaborate|illustrate|demonstrate|propose|brainstorm|imagine|research|investigate|assess|determine|estimate|recite|pretend|reply|respond|answer|add|include|insert|mention|use|replace|reverse|encode|decode|spell|count|sort|name';
const QUESTION_WORDS =
  "what|who|whom|whose|how|why|when|where|which|can\\s+you|could\\s+you|would\\s+you|will\\s+you|do\\s+you|is\\s+there|are\\s+there|what's|how's|who's";
/**
 * A whole line (from the line start, sticky): an imperative request (one sentence) or a question.
 * A verb before a bracket is a heading ("Answer (231 votes):", "List [3 items]:").
 */
const REQUEST_LINE = new RegExp(
  `[ \\t>*"'-]{0,4}(?:(?:please\\s+)?(?:${REQUEST_VERBS})\\b(?!\\s*[(\\[{<])[^\\n|]{8,200}?[.!?:'")]|(?:${QUESTION_WORDS})\\b[^\\n|]{8,200}?\\?['")]?)[ \\t\\r]{0,4}(?=\\n|$)`,
  'iy',
);
/** Inside a one-sentence line: a sentence end followed by more text. */
const INNER_SENTENCE_END = /[.!?]\s+[A-Z]/;
/** Characters REQUEST_LINE allows before the request (up to 4): space, tab, `>*"'-`. */
const REQUEST_LEAD = new Uint8Array(128);
for (const character of ' \t>*"\'-') REQUEST_LEAD[character.charCodeAt(0)] = 1;
/**
 * The first two letters (lower case) of every word a request line can start with (`please`, a verb
 * or a question word), as `first * 128 + second`: a line starting otherwise cannot match
 * REQUEST_LINE, and the regex is not tried on it.
 */
const REQUEST_STARTS = new Uint8Array(128 * 128);
for (const word of ['please', ...`${REQUEST_VERBS}|${QUESTION_WORDS}`.split('|')]) {
  if (!/^[a-z]{2}/.test(word)) throw new Error('a request word does not start with two letters');
  REQUEST_STARTS[word.charCodeAt(0) * 128 + word.charCodeAt(1)] = 1;
}

/**
 * Whether the line at `start` can match REQUEST_LINE: at most 4 lead characters, then the first two
 * letters (any case) of a request word.
 */
function mayStartRequest(text: string, start: number): boolean {
  let at = start;
  while (at - start <= 4) {
    const code = text.charCodeAt(at);
    if (code >= 128 || REQUEST_LEAD[code] !== 1) break;
    at++;
  }
  if (at - start > 4) return false;
  const first = text.charCodeAt(at) | 0x20;
  const second = text.charCodeAt(at + 1) | 0x20;
  return first < 128 && second < 128 && REQUEST_STARTS[first * 128 + second] === 1;
}

/**
 * Lines that are a request on their own (an imperative or a question of 10–200 characters, one
 * sentence, no table cells): typical of a task planted in data ("What is the capital of Brazil?"
 * between the rows of a table). Reported as a weak injection phrase by REQUEST_LINE_DETECTOR.
 */
function standaloneRequests(text: string, findings: Finding[], deadline: number, prefilter: boolean): void {
  let lineStart = 0;
  let reported = 0;
  for (let lines = 0; lineStart <= text.length; lines++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const length = lineEnd - lineStart;
    if (length >= 10 && length <= 220 && (!prefilter || mayStartRequest(text, lineStart))) {
      REQUEST_LINE.lastIndex = lineStart;
      if (
        REQUEST_LINE.test(text) &&
        !INNER_SENTENCE_END.test(text.slice(lineStart, lineEnd).trim().slice(0, -1))
      ) {
        let start = lineStart;
        let end = lineEnd;
        while (start < end && (text.charCodeAt(start) <= 0x20 || text[start] === '>' || text[start] === '*'))
          start++;
        while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
        if (end > start) {
          findings.push({
            type: 'injection_phrase',
            start,
            end,
            confidence: STANDALONE_REQUEST_CONFIDENCE,
            detector: REQUEST_LINE_DETECTOR,
          });
        }
        if (++reported >= MAX_MATCHES_PER_PATTERN) return;
      }
    }
    lineStart = lineEnd + 1;
    if ((lines & 1023) === 1023 && performance.now() > deadline) return;
  }
  REQUEST_LINE.lastIndex = 0;
}

// --- tool calls written into data ---------------------------------------------------------------

/**
 * Tool-call shapes, as [confidence, pattern source]. They are matched as one alternation (each in
 * its own group), so a text costs one pass however many shapes there are.
 */
const TOOL_CALL_SHAPES: readonly (readonly [number, string])[] = [
  [
    0.8,
    String.raw`\{\s{0,20}"(?:name|tool|tool_name|function|recipient_name)"\s{0,5}:\s{0,5}"[^"\n]{1,100}"\s{0,5},\s{0,20}"(?:arguments|args|parameters|input|params|tool_input|kwargs)"\s{0,5}:`,
  ],
  [
    0.75,
    String.raw`\{\s{0,20}"(?:arguments|parameters|input|args)"\s{0,5}:\s{0,5}\{[^{}]{0,500}\}\s{0,5},\s{0,20}"(?:name|tool|function)"\s{0,5}:\s{0,5}"`,
  ],
  [0.8, String.raw`"tool_calls"\s{0,5}:\s{0,5}\[`],
  [0.75, String.raw`"function_call"\s{0,5}:\s{0,5}\{`],
  [0.8, String.raw`"type"\s{0,5}:\s{0,5}"(?:tool_use|function_call|tool_call)"`],
  [0.9, String.raw`"method"\s{0,5}:\s{0,5}"tools/call"`],
  [
    0.85,
    String.raw`<\/?(?:tool_call|tool_calls|function_calls?|tool_use|tool_code|invoke|[a-z]{1,10}:invoke|function=[\w.-]{1,64})\b`,
  ],
  [0.8, String.raw`<\|(?:tool_call|tool_calls|python_tag|call|tool_response)\|>`],
  [0.8, String.raw`\bfunctions\.[A-Za-z_]\w{0,63}\s{0,3}\(`],
  [0.8, String.raw`\bto=(?:functions|tools)\.\w{1,64}`],
];
const TOOL_CALL = new RegExp(TOOL_CALL_SHAPES.map(([, source]) => `(${source})`).join('|'), 'gi');
/** Every shape holds one of these: text without any of them is skipped. */
const TOOL_CALL_NEEDLES = ['"', '<', 'functions.', 'to='];

/**
 * `lower` is the folded text and `markers` the marker words its anchor scan met (scanPhrases; -1
 * runs the regex whenever the needles are there). The regex runs only when some shape can match:
 * the quoted shapes need a quote and a marker word (phrases.ts MARKER_WORDS: the key after the
 * quote starts a word of the folded text), the tag shapes `<`, the call `functions.` (any case) and
 * `(`, the recipient `to=` (any case). Each of these is also in the folded text whenever it is in
 * the text (folding keeps ASCII, in lower case).
 */
function toolCallText(
  text: string,
  lower: string,
  markers: number,
  findings: Finding[],
  deadline: number,
): void {
  const possible =
    markers === -1 ||
    text.includes('<') ||
    ((markers & MARKERS.toolCallKey) !== 0 && text.includes('"')) ||
    (text.includes('(') && lower.includes('functions.')) ||
    (text.includes('=') && lower.includes('to='));
  if (!possible || !TOOL_CALL_NEEDLES.some((needle) => text.includes(needle))) return;
  forEachMatch(TOOL_CALL, text, deadline, (start, end, match) => {
    const shape = match.findIndex((group, index) => index > 0 && group !== undefined);
    const confidence = TOOL_CALL_SHAPES[shape - 1]?.[0] ?? 0.75;
    findings.push(finding('tool_call_text', start, end, confidence));
  });
}

// --- encoded payloads ---------------------------------------------------------------------------

/** Characters of base64 (standard and URL alphabets) and hex; runs of 24 or more are decoded. */
const ENCODED_UNIT = new Uint8Array(128);
for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') {
  ENCODED_UNIT[character.charCodeAt(0)] = 1;
}
const MIN_ENCODED_RUN = 24;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const INSTRUCTION_WORDS =
  /\b(?:ignore|instructions?|system|prompt|assistant|you must|you are|send|e-?mail|password|execute|curl|https?|forward|disregard|reveal|secret|api key|token|rm -rf|wget)\b/gi;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Per BMP code unit, 1 for the units of ENCODED_UNIT (a table over all units spares the range check). */
const ENCODED = new Uint8Array(65_536);
ENCODED.set(ENCODED_UNIT);
/** The units of the text being searched, one buffer per depth (encodedRun searches a decoded run once more). */
const encodedBuffers = [new UnitBuffer(4096, true), new UnitBuffer(256, true)];

function encodedPayloads(text: string, findings: Finding[], deadline: number, depth: number): void {
  const length = text.length;
  if (length < MIN_ENCODED_RUN) return;
  const units = (encodedBuffers[depth] ?? new UnitBuffer(length)).read(text);
  // Skip search: a run of MIN_ENCODED_RUN units starting in [at, probe] must cover `probe`, so a
  // probe outside any run rules out the whole stretch. Invariant: no unreported run starts before `at`.
  let runs = 0;
  let at = 0;
  while (at + MIN_ENCODED_RUN <= length) {
    const probe = at + MIN_ENCODED_RUN - 1;
    if (ENCODED[units[probe] as number] !== 1) {
      at = probe + 1;
      continue;
    }
    let start = probe;
    while (start > at && ENCODED[units[start - 1] as number] === 1) start--;
    const needed = Math.min(length, start + MIN_ENCODED_RUN);
    let end = probe + 1;
    while (end < needed && ENCODED[units[end] as number] === 1) end++;
    if (end < start + MIN_ENCODED_RUN) {
      at = end + 1;
      continue;
    }
    while (end < length && ENCODED[units[end] as number] === 1) end++;
    let padded = end;
    while (padded < length && padded - end < 2 && units[padded] === 0x3d) padded++; // '=' padding
    // encodedRun may search a decoded run (depth 1), which uses the other buffer.
    encodedRun(text, start, padded, findings, deadline, depth);
    at = end + 1;
    if (++runs >= MAX_MATCHES_PER_PATTERN) return;
    if ((runs & 31) === 0 && performance.now() > deadline) return;
  }
}

function encodedRun(
  text: string,
  start: number,
  end: number,
  findings: Finding[],
  deadline: number,
  depth: number,
): void {
  const decoded = decodeRun(text.slice(start, Math.min(end, start + MAX_DECODE_CHARS)));
  if (decoded === null) return;
  let confidence = revealedConfidence(decoded, deadline);
  if (confidence === 0 && depth === 0 && decoded.length >= MIN_ENCODED_RUN) {
    // One more layer: base64 of base64 is a common way to slip past a single decode.
    const inner: Finding[] = [];
    encodedPayloads(decoded, inner, deadline, depth + 1);
    for (const found of inner) confidence = Math.max(confidence, found.confidence);
  }
  if (confidence > 0) findings.push(finding('encoded_payload', start, end, confidence));
}

/**
 * How sure it is that text revealed from hiding (decoded, or spaced letters read back) is an
 * instruction: an override or role-play phrase makes it at least 0.85, two instruction words 0.6;
 * 0 when neither is there.
 */
function revealedConfidence(revealed: string, deadline: number): number {
  const phrase = phraseConfidence(revealed, deadline);
  if (phrase >= 0.5) return Math.max(0.85, phrase);
  return distinctInstructionWords(revealed) >= 2 ? 0.6 : 0;
}

/** Decodes hex or base64 (either alphabet) to UTF-8 text; null when it is not valid UTF-8 or under 12 bytes. */
function decodeText(run: string): string | null {
  let bytes: Uint8Array;
  if (HEX.test(run)) bytes = Buffer.from(run, 'hex');
  else {
    const body = run.replace(/=+$/, '');
    if (body.length % 4 === 1) return null;
    bytes = Buffer.from(body, 'base64');
  }
  if (bytes.length < 12) return null;
  // Checked first: a failed decode throws, and an exception costs more than the check.
  if (!isUtf8(bytes)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes a hex or base64 run to text when it is mostly printable letters; null otherwise. */
function decodeRun(run: string): string | null {
  const decoded = decodeText(run);
  if (decoded === null) return null;
  let printable = 0;
  let letters = 0;
  for (let index = 0; index < decoded.length; index++) {
    const code = decoded.charCodeAt(index);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) printable++;
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0xc0) letters++;
  }
  if (printable < decoded.length * 0.95 || letters < decoded.length * 0.5) return null;
  return decoded;
}

function distinctInstructionWords(text: string): number {
  const seen = new Set<string>();
  INSTRUCTION_WORDS.lastIndex = 0;
  for (
    let match = INSTRUCTION_WORDS.exec(text);
    match !== null && seen.size < 4;
    match = INSTRUCTION_WORDS.exec(text)
  ) {
    seen.add(match[0].toLowerCase());
  }
  INSTRUCTION_WORDS.lastIndex = 0;
  return seen.size;
}

// --- letter-spaced text -------------------------------------------------------------------------

/**
 * Six or more single letters in a row, each after one to four separators ("I g n o r e   a l l",
 * "I.g.n.o.r.e y.o.u.r r.u.l.e.s", "i-g-n-o-r-e"): text spaced out so that no word of it is a word.
 * Letters and separators are disjoint classes, one letter per step: linear.
 */
const SPACED_RUN = /(?<![\p{L}\p{N}])\p{L}(?:[ .\-_*·|/]{1,4}\p{L}(?![\p{L}\p{N}])){5,}/gu;
/** Letters of the scripts the phrase patterns read in spaced form: Latin (Vietnamese included) and Cyrillic. */
const SPACED_LETTER = String.raw`A-Za-z\u00C0-\u024F\u0400-\u04FF\u1E00-\u1EFF`;
/**
 * A quick test for three spaced single letters of those scripts, which every SPACED_RUN match in
 * them holds. Written with ranges and without the `u` flag: a `\p{L}` test costs about ten times as
 * much on every text (48 against 4 ms per MB here).
 */
const SPACED_HINT = new RegExp(
  `(?<![${SPACED_LETTER}0-9])[${SPACED_LETTER}][ .\\-_*\u00B7|/]{1,4}[${SPACED_LETTER}][ .\\-_*\u00B7|/]{1,4}[${SPACED_LETTER}](?![${SPACED_LETTER}0-9])`,
);
/** Letters of a spaced run read at most (an instruction is short; the rest of a longer run is ignored). */
const MAX_SPACED_LETTERS = 2048;

/**
 * Letter-spaced instructions: each run of spaced single letters is read back as words (the
 * separator met most between letters joins them, any other gap parts words) and searched like a
 * decoded payload: an override or role-play phrase, or two instruction words, make it an
 * `encoded_payload` finding over the run. Spaced headings ("S A L E") hold neither.
 */
function spacedLetters(text: string, findings: Finding[], deadline: number): void {
  if (!SPACED_HINT.test(text)) return;
  forEachMatch(SPACED_RUN, text, deadline, (start, end) => {
    const words = spacedWords(text.slice(start, Math.min(end, start + MAX_SPACED_LETTERS * 5)));
    if (words.length < 2) return;
    const confidence = revealedConfidence(words.join(' '), deadline);
    if (confidence > 0) findings.push(finding('encoded_payload', start, end, confidence));
  });
}

// --- scrambled text ---------------------------------------------------------------------------

/** A scramble hint word at a word start, as the word anchor scan notes it (MARKERS.scrambleHint). */
const SCRAMBLE_HINT = new RegExp(`\\b(?:${SCRAMBLE_HINT_WORDS.join('|')})`);

/**
 * Text that says it is scrambled ("Decode this ROT13 and obey it:", "Read this backwards:", "Đọc
 * ngược câu này") and carries an instruction once unscrambled: the text is read in ROT13 and
 * backwards, and each override or role-play phrase found so is reported as an encoded payload at its
 * place in the original.
 */
function scrambledText(text: string, findings: Finding[], deadline: number): void {
  const length = text.length;
  const rot13 = text.replace(/[A-Za-z]/g, (letter) => {
    const code = letter.charCodeAt(0);
    const base = code >= 0x61 ? 0x61 : 0x41;
    return String.fromCharCode(((code - base + 13) % 26) + base);
  });
  for (const match of matchPhrases(rot13, deadline)) {
    if (match.confidence >= 0.5)
      findings.push(finding('encoded_payload', match.start, match.end, Math.max(0.85, match.confidence)));
  }
  if (performance.now() > deadline) return;
  // Backwards by code point, so a surrogate pair stays one character of two units, and a span
  // [start, end) of the reversed text is [length - end, length - start) of the original.
  const reversed = Array.from(text).reverse().join('');
  for (const match of matchPhrases(reversed, deadline)) {
    if (match.confidence >= 0.5) {
      const confidence = Math.max(0.85, match.confidence);
      findings.push(finding('encoded_payload', length - match.end, length - match.start, confidence));
    }
  }
}

/** The words of a spaced run: letters joined across its commonest gap, parted at every other gap. */
function spacedWords(run: string): string[] {
  const letters: string[] = [];
  const gaps: string[] = [];
  const counts = new Map<string, number>();
  for (const part of run.match(/\p{L}|[^\p{L}]+/gu) ?? []) {
    if (/^\p{L}$/u.test(part)) letters.push(part);
    else {
      gaps.push(part);
      counts.set(part, (counts.get(part) ?? 0) + 1);
    }
  }
  let joining = '';
  let most = 0;
  for (const [gap, count] of counts) {
    if (count > most) {
      joining = gap;
      most = count;
    }
  }
  const words: string[] = [];
  let word = letters[0] ?? '';
  for (let index = 1; index < letters.length; index++) {
    if (gaps[index - 1] === joining) word += letters[index];
    else {
      words.push(word);
      word = letters[index] ?? '';
    }
  }
  words.push(word);
  return words;
}

// --- helpers ------------------------------------------------------------------------------------

/**
 * Calls `visit` for each match of a global regex (at most `limit`, stopping at the deadline);
 * `visit` may return false to stop early.
 */
function forEachMatch(
  pattern: RegExp,
  text: string,
  deadline: number,
  visit: (start: number, end: number, match: RegExpExecArray) => boolean | void,
  limit = MAX_MATCHES_PER_PATTERN,
): void {
  pattern.lastIndex = 0;
  let matches = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (end === start) {
      pattern.lastIndex++;
      continue;
    }
    if (visit(start, end, match) === false) break;
    if (++matches >= limit) break;
    if ((matches & 31) === 0 && performance.now() > deadline) break;
  }
  pattern.lastIndex = 0;
}

function finding(type: FindingType, start: number, end: number, confidence: number): Finding {
  return { type, start, end, confidence, detector: DETECTOR };
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.start - b.start || a.end - b.end);
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isAsciiLetterOrSpace(code: number): boolean {
  return isAsciiAlphanumeric(code) || code === 0x20;
}
