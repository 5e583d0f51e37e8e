/**
 * Secret detectors: cloud and SaaS credentials by their published formats (prefixes, lengths,
 * alphabets), PEM private keys, JWTs, credentials in URLs and connection strings, and high-entropy
 * values assigned to secret-sounding names. Precision comes first: a vendor format is matched only
 * with its exact alphabet and length, secret access keys and client secrets only in context, and
 * generic assignments only when the value is long, mixed and random-looking.
 *
 * Every regex is linear-time (bounded repetitions of disjoint classes), every detector first checks
 * a cheap substring that all its matches hold, and loops look at the scan deadline.
 */
import type { Detector, Finding, FindingType, ScanBudget } from '../types.js';
import {
  HAS_AT,
  HAS_COLON,
  HAS_DOT,
  HAS_EQUALS,
  HAS_HYPHEN,
  HAS_LOWER_ASCII,
  HAS_SLASH,
  HAS_SPACE,
  HAS_TILDE,
  HAS_UNDERSCORE,
  gate,
  profiledDetector,
} from './text-profile.js';
import type { DetectorGate, TextProfile } from './text-profile.js';

/** Findings of one detector per text stop here (a text full of keys has made its point). */
const MAX_FINDINGS = 1024;

/** All secret detectors, one per finding type. */
export function secretDetectors(): Detector[] {
  return [
    awsDetector(),
    gcpDetector(),
    azureDetector(),
    simpleDetector(
      'secret.github',
      'github_token',
      GITHUB,
      gate({ minLength: 40, all: HAS_UNDERSCORE }), // "ghp_" + 36
      [
        [/(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9_])/g, 0.98],
        [/(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g, 0.98],
      ],
    ),
    simpleDetector(
      'secret.gitlab',
      'gitlab_token',
      GITLAB,
      gate({ minLength: 25, all: HAS_HYPHEN }), // "gldt-" + 20
      [
        [/(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/g, 0.95],
        [
          /(?<![A-Za-z0-9_-])gl(?:dt|rt|ptt|soat|cbt|ft|imt|agent|oas)-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/g,
          0.9,
        ],
      ],
    ),
    simpleDetector(
      'secret.slack',
      'slack_token',
      SLACK,
      gate({ minLength: 15, all: HAS_LOWER_ASCII, any: HAS_HYPHEN | HAS_SLASH }), // "xoxb-1-" + 8
      [
        [
          /(?<![A-Za-z0-9-])xox[abprs]-(?:[0-9]{1,20}-){1,3}[A-Za-z0-9]{8,64}(?:-[A-Za-z0-9]{8,64})?(?![A-Za-z0-9-])/g,
          0.95,
        ],
        [/(?<![A-Za-z0-9-])xox[abprse]-[0-9A-Za-z]{8,20}-[0-9A-Za-z-]{8,200}(?![A-Za-z0-9-])/g, 0.85],
        [
          /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_-]{6,40}\/[A-Za-z0-9_-]{6,40}\/[A-Za-z0-9_-]{16,64}/g,
          0.95,
        ],
      ],
    ),
    simpleDetector(
      'secret.stripe',
      'stripe_key',
      STRIPE,
      gate({ minLength: 28, all: HAS_UNDERSCORE }), // "sk_live_" + 20
      [
        [/(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{20,247}(?![A-Za-z0-9_])/g, 0.98],
        [/(?<![A-Za-z0-9_])(?:sk|rk)_test_[A-Za-z0-9]{20,247}(?![A-Za-z0-9_])/g, 0.85],
        [/(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{32,64}(?![A-Za-z0-9_])/g, 0.9],
      ],
    ),
    openAiDetector(),
    simpleDetector(
      'secret.anthropic',
      'anthropic_key',
      ANTHROPIC_NEEDLE,
      gate({ minLength: 53, all: HAS_HYPHEN, minTokenDigits: 2 }), // "sk-ant-api03-" + 40
      [[/(?<![A-Za-z0-9_-])sk-ant-[a-z]{3,8}[0-9]{2}-[A-Za-z0-9_-]{40,200}(?![A-Za-z0-9_-])/g, 0.98]],
    ),
    privateKeyDetector(),
    jwtDetector(),
    urlCredentialsDetector(),
    connectionStringDetector(),
    genericSecretDetector(),
  ];
}

// --- needles -------------------------------------------------------------------------------------------

/*
 * Every detector first checks a substring that all its matches hold ("ghp_", "AKIA", "secret"...). Over
 * a long text, thirty separate `includes` calls read it thirty times; these two scans read it once
 * each and note which needles occur, for every detector of the same text.
 */
const GITHUB = 1 << 0;
const GITLAB = 1 << 1;
const SLACK = 1 << 2;
const STRIPE = 1 << 3;
const AWS_KEY_ID_NEEDLE = 1 << 4;
const GCP_API_KEY_NEEDLE = 1 << 5;
const GCP_KEY_ID_NEEDLE = 1 << 6;
const GCP_SERVICE_ACCOUNT_NEEDLE = 1 << 7;
const AZURE_KEY_NEEDLE = 1 << 8;
const AZURE_SIG_NEEDLE = 1 << 9;
const AZURE_CLIENT_NEEDLE = 1 << 10;
const OPENAI_NEEDLE = 1 << 11;
const ANTHROPIC_NEEDLE = 1 << 12;
const PEM_NEEDLE = 1 << 13;
const SCHEME_NEEDLE = 1 << 14;
const JWT_NEEDLE = 1 << 15;
/** "secret", any case. */
const SECRET_WORD = 1 << 16;
/** "pwd", "passwd", "password", any case. */
const PASSWORD_WORD = 1 << 17;
/** What every SECRET_NAME match holds: "key", "secret", "token", "passw", "pwd" or "credential", any case. */
const SECRET_NAME_WORD = 1 << 18;

const CASE_SENSITIVE_NEEDLES: ReadonlyMap<string, number> = new Map([
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'].map((needle) => [needle, GITHUB] as const),
  ...['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glsoat-', 'glcbt-', 'glft-', 'glimt-', 'glagent-', 'gloas-'].map(
    (needle) => [needle, GITLAB] as const,
  ),
  ['xox', SLACK],
  ['hooks.slack.com', SLACK],
  ['_live_', STRIPE],
  ['_test_', STRIPE],
  ['whsec_', STRIPE],
  ['AKIA', AWS_KEY_ID_NEEDLE],
  ['ASIA', AWS_KEY_ID_NEEDLE],
  ['AIza', GCP_API_KEY_NEEDLE],
  ['private_key_id', GCP_KEY_ID_NEEDLE],
  ['service_account', GCP_SERVICE_ACCOUNT_NEEDLE],
  ['Key=', AZURE_KEY_NEEDLE],
  ['Key =', AZURE_KEY_NEEDLE],
  ['sig=', AZURE_SIG_NEEDLE],
  ['Q~', AZURE_CLIENT_NEEDLE],
  ['sk-', OPENAI_NEEDLE],
  ['sk-ant-', ANTHROPIC_NEEDLE],
  ['-----BEGIN', PEM_NEEDLE],
  ['://', SCHEME_NEEDLE],
  ...['eyJ', 'eyA', 'ewo', 'ew0'].map((needle) => [needle, JWT_NEEDLE] as const),
]);
const CASE_INSENSITIVE_NEEDLES: ReadonlyMap<string, number> = new Map([
  ['secret', SECRET_WORD | SECRET_NAME_WORD],
  ['pwd', PASSWORD_WORD | SECRET_NAME_WORD],
  ['passwd', PASSWORD_WORD],
  ['password', PASSWORD_WORD],
  ['passw', SECRET_NAME_WORD],
  ['key', SECRET_NAME_WORD],
  ['token', SECRET_NAME_WORD],
  ['credential', SECRET_NAME_WORD],
]);

/**
 * One alternation of the needles, longest first, and the bits each match stands for: its own and
 * those of every needle it starts with (at one position the longest needle wins, and the shorter
 * needles it begins with are there too). The scan resumes one unit after each match start, so
 * overlapping needles are all seen.
 */
function needleScanner(needles: ReadonlyMap<string, number>, flags: string): (text: string) => number {
  const ordered = [...needles.keys()].sort((a, b) => b.length - a.length);
  const bits = new Map<string, number>();
  for (const needle of ordered) {
    let value = 0;
    for (const [other, otherBits] of needles) {
      const prefix = flags.includes('i')
        ? needle.toLowerCase().startsWith(other.toLowerCase())
        : needle.startsWith(other);
      if (prefix) value |= otherBits;
    }
    bits.set(flags.includes('i') ? needle.toLowerCase() : needle, value);
  }
  const pattern = new RegExp(
    ordered.map((needle) => needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    `g${flags}`,
  );
  return (text) => {
    let found = 0;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      found |= bits.get(flags.includes('i') ? match[0].toLowerCase() : match[0]) ?? 0;
      pattern.lastIndex = match.index + 1;
    }
    pattern.lastIndex = 0;
    return found;
  };
}

const scanCaseSensitive = needleScanner(CASE_SENSITIVE_NEEDLES, '');
const scanCaseInsensitive = needleScanner(CASE_INSENSITIVE_NEEDLES, 'i');

/**
 * Texts up to this long are checked needle by needle (a few `includes` on a short string cost less
 * than the scans); longer ones are scanned once for all needles.
 */
const SHORT_TEXT = 256;

/** Each needle bit's own check, for short texts. */
const NEEDLE_CHECKS: ReadonlyMap<number, (text: string) => boolean> = buildNeedleChecks();

function buildNeedleChecks(): Map<number, (text: string) => boolean> {
  const sensitive = new Map<number, string[]>();
  for (const [needle, bits] of CASE_SENSITIVE_NEEDLES) {
    for (let bit = 1; bit <= bits; bit <<= 1) {
      if ((bits & bit) !== 0) sensitive.set(bit, [...(sensitive.get(bit) ?? []), needle]);
    }
  }
  const insensitive = new Map<number, string[]>();
  for (const [needle, bits] of CASE_INSENSITIVE_NEEDLES) {
    for (let bit = 1; bit <= bits; bit <<= 1) {
      if ((bits & bit) !== 0) insensitive.set(bit, [...(insensitive.get(bit) ?? []), needle]);
    }
  }
  const checks = new Map<number, (text: string) => boolean>();
  for (const [bit, needles] of sensitive) {
    checks.set(bit, (text) => needles.some((needle) => text.includes(needle)));
  }
  for (const [bit, needles] of insensitive) {
    const pattern = new RegExp(needles.join('|'), 'i');
    checks.set(bit, (text) => pattern.test(text));
  }
  return checks;
}

/** Whether `text` holds one of the needles of `bit` (one bit). */
function hasNeedle(text: string, bit: number): boolean {
  if (text.length > SHORT_TEXT) return (needlesIn(text) & bit) !== 0;
  return NEEDLE_CHECKS.get(bit)?.(text) === true;
}

let needlesText: string | undefined;
let needlesFound = 0;

/** Drops the needle bits memoized for the last text (see forgetScannedText). */
export function forgetSecretNeedles(): void {
  needlesText = undefined;
  needlesFound = 0;
}

/** The needle bits present in `text`, memoized for the last text (the secret detectors read one string in turn). */
function needlesIn(text: string): number {
  if (text !== needlesText) {
    needlesFound = scanCaseSensitive(text) | scanCaseInsensitive(text);
    needlesText = text;
  }
  return needlesFound;
}

// --- helpers ------------------------------------------------------------------------------------------

type Pattern = readonly [RegExp, number];

function finding(
  type: FindingType,
  detector: string,
  start: number,
  end: number,
  confidence: number,
): Finding {
  return { type, start, end, confidence, detector };
}

/**
 * Calls `visit` for each match of a global regex, stopping after MAX_FINDINGS matches or at the
 * deadline (looked at every 32 matches).
 */
function eachMatch(
  pattern: RegExp,
  text: string,
  budget: ScanBudget,
  visit: (match: RegExpExecArray) => void,
  from = 0,
): void {
  pattern.lastIndex = from;
  let count = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    visit(match);
    if (++count >= MAX_FINDINGS) break;
    if ((count & 31) === 0 && performance.now() > budget.deadline) break;
  }
  pattern.lastIndex = 0;
}

/**
 * A secret detector behind `detectorGate` (shortest match, characters every match holds): `body`
 * appends its findings to `found`.
 */
function secretDetector(
  name: string,
  type: FindingType,
  detectorGate: DetectorGate,
  body: (text: string, budget: ScanBudget, found: Finding[], profile: TextProfile) => void,
): Detector {
  return profiledDetector(
    { name, category: 'secret', types: [type] },
    { gate: detectorGate, scan: (profile, budget, found) => body(profile.text, budget, found, profile) },
  );
}

/** A detector made of prefix formats: runs its patterns when the text holds one of its needles (`needle` bits). */
function simpleDetector(
  name: string,
  type: FindingType,
  needle: number,
  detectorGate: DetectorGate,
  patterns: readonly Pattern[],
): Detector {
  return secretDetector(name, type, detectorGate, (text, budget, findings) => {
    if (!hasNeedle(text, needle)) return;
    // Patterns are listed strongest first; a span a stronger one found is not reported again.
    const starts = new Set<number>();
    for (const [pattern, confidence] of patterns) {
      eachMatch(pattern, text, budget, (match) => {
        if (starts.has(match.index)) return;
        starts.add(match.index);
        findings.push(finding(type, name, match.index, match.index + match[0].length, confidence));
      });
    }
  });
}

/** Shannon entropy of `value` in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / value.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}

/** How many of lower case, upper case, digits and other characters `value` holds. */
function characterClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 0x61 && code <= 0x7a) lower = 1;
    else if (code >= 0x41 && code <= 0x5a) upper = 1;
    else if (code >= 0x30 && code <= 0x39) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Values that stand for a secret rather than being one: <password>, ${TOKEN}, {{x}}, xxxx, ****, your-key-here. */
const PLACEHOLDER =
  /^(?:<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\{[^}]*\}|%[sd]|\$[A-Z_][A-Z0-9_]*|[*xX#.•-]+|(?:your|my|the|some|insert|enter|replace|put|example|sample|dummy|fake|test|changeme|change_me|placeholder|redacted|secret|password|token|none|null|undefined|todo)\b.*)$/i;

function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || /(.)\1{5,}/.test(value);
}

// --- AWS -------------------------------------------------------------------------------------------

const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET_NAMED =
  /aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|aws_?secret(?=["'\s:=])/gi;
const AWS_SECRET_VALUE = /["']?\s{0,5}(?:=>|:=|[:=])\s{0,5}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/y;
const BASE64_40 = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** How far from an access key id a 40-character secret access key is looked for. */
const AWS_NEIGHBOURHOOD = 300;

function awsDetector(): Detector {
  const name = 'secret.aws';
  return secretDetector(
    name,
    'aws_key',
    gate({ minLength: 20 }) /* an access key id: "AKIA" + 16 */,
    (text, budget, findings, profile) => {
      // an access key id has 4 capitals ("AKIA"); a named secret key needs 50 characters or more
      if (profile.asciiCapitals >= 4 && hasNeedle(text, AWS_KEY_ID_NEEDLE)) {
        let searchedTo = 0;
        eachMatch(AWS_KEY_ID, text, budget, (match) => {
          const start = match.index;
          const end = start + match[0].length;
          findings.push(finding('aws_key', name, start, end, 0.95));
          // A secret access key next to the id: 40 base64 characters, mixed classes.
          const from = Math.max(searchedTo, start - AWS_NEIGHBOURHOOD);
          const to = Math.min(text.length, end + AWS_NEIGHBOURHOOD);
          if (from >= to) return;
          const window = text.slice(from, to);
          eachMatch(BASE64_40, window, budget, (secret) => {
            const value = secret[0];
            if (characterClasses(value) >= 3 && shannonEntropy(value) >= 4) {
              findings.push(finding('aws_key', name, from + secret.index, from + secret.index + 40, 0.85));
            }
          });
          searchedTo = to;
        });
      }
      if (text.length >= 50 && hasNeedle(text, SECRET_WORD)) {
        eachMatch(AWS_SECRET_NAMED, text, budget, (match) => {
          AWS_SECRET_VALUE.lastIndex = match.index + match[0].length;
          const value = AWS_SECRET_VALUE.exec(text);
          if (value === null) return;
          const secret = value[1] as string;
          const end = AWS_SECRET_VALUE.lastIndex;
          if (characterClasses(secret) >= 2 && !isPlaceholder(secret)) {
            findings.push(finding('aws_key', name, end - secret.length, end, 0.95));
          }
        });
        AWS_SECRET_VALUE.lastIndex = 0;
      }
    },
  );
}

// --- Google Cloud ----------------------------------------------------------------------------------

const GCP_API_KEY = /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g;
const GCP_KEY_ID = /"private_key_id"\s{0,5}:\s{0,5}"([0-9a-f]{40})"/g;
const GCP_SERVICE_ACCOUNT = /"type"\s{0,5}:\s{0,5}"service_account"/g;

function gcpDetector(): Detector {
  const name = 'secret.gcp';
  return secretDetector(
    name,
    'gcp_key',
    gate({ minLength: 24 }) /* '"type":"service_account"' */,
    (text, budget, findings, profile) => {
      // an API key is 39 characters with 2 capitals ("AIza"); the two others hold "_"
      if (profile.asciiCapitals >= 2 && text.length >= 39 && hasNeedle(text, GCP_API_KEY_NEEDLE)) {
        eachMatch(GCP_API_KEY, text, budget, (match) => {
          findings.push(finding('gcp_key', name, match.index, match.index + match[0].length, 0.95));
        });
      }
      if ((profile.flags & HAS_UNDERSCORE) !== 0 && hasNeedle(text, GCP_KEY_ID_NEEDLE)) {
        eachMatch(GCP_KEY_ID, text, budget, (match) => {
          const end = match.index + match[0].length - 1;
          findings.push(finding('gcp_key', name, end - 40, end, 0.9));
        });
      }
      if ((profile.flags & HAS_UNDERSCORE) !== 0 && hasNeedle(text, GCP_SERVICE_ACCOUNT_NEEDLE)) {
        eachMatch(GCP_SERVICE_ACCOUNT, text, budget, (match) => {
          findings.push(finding('gcp_key', name, match.index, match.index + match[0].length, 0.7));
        });
      }
    },
  );
}

// --- Azure -----------------------------------------------------------------------------------------

const AZURE_ACCOUNT_KEY =
  /(?:AccountKey|SharedAccessKey|AccessKey)\s{0,3}=\s{0,3}([A-Za-z0-9+/]{40,100}={0,2})/g;
const AZURE_SAS_SIGNATURE = /[?&;]sig=([A-Za-z0-9%+/=_-]{20,200})/g;
/** Other parameters of a shared access signature: version, expiry, permissions, resource, services. */
const SAS_PARAMETER = /[?&;](?:sv|se|sp|sr|ss|srt|st|spr|skoid)=/;
const AZURE_CLIENT_SECRET =
  /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g;
const AZURE_NAMED_SECRET =
  /(?:client_?secret|azure_?client_?secret|ClientSecret)["']?\s{0,5}(?:=>|:=|[:=])\s{0,5}["']?([A-Za-z0-9_~.+/-]{30,60})(?![A-Za-z0-9_~.+/-])/gi;

function azureDetector(): Detector {
  const name = 'secret.azure';
  return secretDetector(
    name,
    'azure_key',
    gate({ minLength: 25, any: HAS_EQUALS | HAS_COLON | HAS_TILDE }) /* "?sig=" + 20 */,
    (text, budget, findings) => {
      if (hasNeedle(text, AZURE_KEY_NEEDLE)) {
        eachMatch(AZURE_ACCOUNT_KEY, text, budget, (match) => {
          const value = match[1] as string;
          const end = match.index + match[0].length;
          if (characterClasses(value) >= 3)
            findings.push(finding('azure_key', name, end - value.length, end, 0.95));
        });
      }
      if (hasNeedle(text, AZURE_SIG_NEEDLE)) {
        eachMatch(AZURE_SAS_SIGNATURE, text, budget, (match) => {
          const value = match[1] as string;
          const end = match.index + match[0].length;
          const around = text.slice(Math.max(0, match.index - 400), Math.min(text.length, end + 400));
          findings.push(
            finding('azure_key', name, end - value.length, end, SAS_PARAMETER.test(around) ? 0.9 : 0.45),
          );
        });
      }
      if (hasNeedle(text, AZURE_CLIENT_NEEDLE)) {
        eachMatch(AZURE_CLIENT_SECRET, text, budget, (match) => {
          findings.push(finding('azure_key', name, match.index, match.index + match[0].length, 0.9));
        });
      }
      if (hasNeedle(text, SECRET_WORD)) {
        eachMatch(AZURE_NAMED_SECRET, text, budget, (match) => {
          const value = match[1] as string;
          const end = match.index + match[0].length;
          if (characterClasses(value) >= 3 && shannonEntropy(value) >= 3.5 && !isPlaceholder(value)) {
            findings.push(finding('azure_key', name, end - value.length, end, 0.85));
          }
        });
      }
    },
  );
}

// --- OpenAI ----------------------------------------------------------------------------------------

/** Legacy and project keys carry "T3BlbkFJ" (base64 of "OpenAI") in the middle. */
const OPENAI_MARKED =
  /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{10,200}T3BlbkFJ[A-Za-z0-9_-]{10,200}(?![A-Za-z0-9_-])/g;
const OPENAI_PREFIXED = /(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}(?![A-Za-z0-9_-])/g;
const OPENAI_PLAIN = /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{32,64}(?![A-Za-z0-9_-])/g;

function openAiDetector(): Detector {
  const name = 'secret.openai';
  return secretDetector(
    name,
    'openai_key',
    gate({ minLength: 31, all: HAS_HYPHEN }) /* "sk-" + 10 + "T3BlbkFJ" + 10 */,
    (text, budget, findings) => {
      if (!hasNeedle(text, OPENAI_NEEDLE)) return;
      const seen = new Set<number>();
      const add = (start: number, end: number, confidence: number): void => {
        if (seen.has(start) || text.startsWith('sk-ant-', start)) return;
        seen.add(start);
        findings.push(finding('openai_key', name, start, end, confidence));
      };
      eachMatch(OPENAI_MARKED, text, budget, (match) =>
        add(match.index, match.index + match[0].length, 0.99),
      );
      eachMatch(OPENAI_PREFIXED, text, budget, (match) => {
        if (characterClasses(match[0].slice(8)) >= 3) add(match.index, match.index + match[0].length, 0.9);
      });
      eachMatch(OPENAI_PLAIN, text, budget, (match) => {
        const body = match[0].slice(3);
        if (characterClasses(body) >= 3 && shannonEntropy(body) >= 4)
          add(match.index, match.index + match[0].length, 0.85);
      });
    },
  );
}

// --- PEM private keys ------------------------------------------------------------------------------

const PEM_BEGIN =
  /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 |ED25519 )?PRIVATE KEY(?: BLOCK)?)-----/g;
/**
 * A PEM body up to its END line: base64, header lines (Proc-Type: 4,ENCRYPTED), spacing and
 * escaped line breaks (as inside JSON), stopping at the `-----` of the END line.
 */
const PEM_BODY = /(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----)){0,20000}/y;
/** Without an END line, the key is taken to run as far as base64 and line breaks go. */
const PEM_BARE_BODY = /[A-Za-z0-9+/=\r\n\\]{0,20000}/y;

function privateKeyDetector(): Detector {
  const name = 'secret.private_key';
  return secretDetector(
    name,
    'private_key',
    gate({ minLength: 27, all: HAS_HYPHEN | HAS_SPACE }) /* "-----BEGIN PRIVATE KEY-----" */,
    (text, budget, findings) => {
      if (!hasNeedle(text, PEM_NEEDLE)) return;
      eachMatch(PEM_BEGIN, text, budget, (match) => {
        const start = match.index;
        const afterBegin = start + match[0].length;
        const endLine = `-----END ${match[1] as string}-----`;
        // The END line must follow the body directly (not belong to a key further down the text).
        PEM_BODY.lastIndex = afterBegin;
        const bodyEnd = afterBegin + (PEM_BODY.exec(text)?.[0].length ?? 0);
        if (text.startsWith(endLine, bodyEnd)) {
          findings.push(finding('private_key', name, start, bodyEnd + endLine.length, 0.99));
          PEM_BEGIN.lastIndex = bodyEnd + endLine.length;
        } else {
          PEM_BARE_BODY.lastIndex = afterBegin;
          const bareEnd = afterBegin + (PEM_BARE_BODY.exec(text)?.[0].length ?? 0);
          findings.push(finding('private_key', name, start, bareEnd, 0.9));
        }
      });
      PEM_BODY.lastIndex = 0;
      PEM_BARE_BODY.lastIndex = 0;
    },
  );
}

// --- JWT -------------------------------------------------------------------------------------------

const JWT =
  /(?<![A-Za-z0-9_-])(?:eyJ|ewo|ew0|eyA)[A-Za-z0-9_-]{5,4000}\.[A-Za-z0-9_-]{2,16000}\.[A-Za-z0-9_-]{0,4000}(?![A-Za-z0-9_.-])/g;

function jwtDetector(): Detector {
  const name = 'secret.jwt';
  return secretDetector(
    name,
    'jwt',
    gate({ minLength: 12, all: HAS_DOT }) /* "eyJ" + 5 + "." + 2 + "." */,
    (text, budget, findings) => {
      if (!text.includes('.') || !hasNeedle(text, JWT_NEEDLE)) return;
      eachMatch(JWT, text, budget, (match) => {
        const token = match[0];
        const firstDot = token.indexOf('.');
        const header = decodeJsonObject(token.slice(0, firstDot));
        if (header === null || typeof header.alg !== 'string') return;
        const signed = !token.endsWith('.');
        findings.push(finding('jwt', name, match.index, match.index + token.length, signed ? 0.95 : 0.85));
      });
    },
  );
}

/** Decodes base64url to a JSON object; null when it is not one (never throws). */
function decodeJsonObject(encoded: string): Record<string, unknown> | null {
  if (encoded.length > 4000) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

// --- credentials in URLs and connection strings -------------------------------------------------

/** Schemes of databases, queues and caches: their URL passwords are connection_string findings. */
const DATABASE_SCHEMES = new Set([
  'postgres',
  'postgresql',
  'mysql',
  'mysqlx',
  'mariadb',
  'mongodb',
  'mongodb+srv',
  'redis',
  'rediss',
  'amqp',
  'amqps',
  'mssql',
  'sqlserver',
  'oracle',
  'cockroachdb',
  'clickhouse',
  'couchdb',
  'neo4j',
  'neo4j+s',
  'bolt',
  'cassandra',
  'memcached',
  'nats',
  'kafka',
  'mqtt',
  'mqtts',
  'stomp',
  'db2',
  'snowflake',
]);
/**
 * `user:password@` right after `://` (user may be empty, as in redis://:password@host), read as URL
 * parsers read an authority: the last `@` before the host ends the user info and its first `:`
 * splits it, so a raw `@` may sit in the user (smtp://alerts@example.com:pw@mail.example.com) or in
 * the password (p@ss). Not across `,` `;` `|` `&` `=`: there a list or a query goes on to another
 * address (`https://admin@host:8443,jane@example.com`). Backtracking is bounded: the user holds no
 * `:`, the password at most 256 units.
 */
const URL_USERINFO_WITH_AT =
  /([^\s:/?#"'<>[\]{},;|&=]{0,256}):([^\s/?#"'<>[\]{},;|&=]{1,256})@(?=[^\s/?#@"'<>])/y;
/** The user info up to the first `@`, for a password that holds one of `,;|&=` (and no `@`). */
const URL_USERINFO = /([^\s:/?#@"'<>[\]{}]{0,256}):([^\s/?#@"'<>[\]{}]{1,256})@(?=[^\s/?#@"'<>])/y;
const SCHEME_CHARACTER = /[A-Za-z0-9+.-]/;

/** Finds `scheme://user:password@host` credentials; calls `visit` for each. */
function eachUrlCredential(
  text: string,
  budget: ScanBudget,
  visit: (scheme: string, userStart: number, passwordStart: number, passwordEnd: number) => void,
): void {
  let from = 0;
  for (let count = 0; count < MAX_FINDINGS; count++) {
    const separator = text.indexOf('://', from);
    if (separator < 0) return;
    from = separator + 3;
    let schemeStart = separator;
    while (
      schemeStart > 0 &&
      separator - schemeStart < 24 &&
      SCHEME_CHARACTER.test(text[schemeStart - 1] as string)
    )
      schemeStart--;
    const scheme = text
      .slice(schemeStart, separator)
      .toLowerCase()
      .replace(/^jdbc:/, '');
    if (scheme.length === 0 || !/^[a-z]/.test(scheme)) continue;
    URL_USERINFO_WITH_AT.lastIndex = from;
    let match = URL_USERINFO_WITH_AT.exec(text);
    if (match === null) {
      URL_USERINFO.lastIndex = from;
      match = URL_USERINFO.exec(text);
    }
    if (match === null) continue;
    const user = match[1] as string;
    const password = match[2] as string;
    const passwordStart = from + user.length + 1;
    visit(scheme, from, passwordStart, passwordStart + password.length);
    from = passwordStart + password.length;
    if ((count & 31) === 31 && performance.now() > budget.deadline) return;
  }
}

function urlCredentialsDetector(): Detector {
  const name = 'secret.url_credentials';
  return secretDetector(
    name,
    'url_credentials',
    gate({ minLength: 8, all: HAS_COLON | HAS_SLASH | HAS_AT }) /* "a://:b@c" */,
    (text, budget, findings) => {
      if (!hasNeedle(text, SCHEME_NEEDLE) || !text.includes('@')) return;
      eachUrlCredential(text, budget, (scheme, userStart, passwordStart, passwordEnd) => {
        if (DATABASE_SCHEMES.has(scheme) || scheme.startsWith('jdbc')) return; // connection_string reports these
        const password = text.slice(passwordStart, passwordEnd);
        const confidence =
          isPlaceholder(password) || isPlaceholder(decodeURIComponentSafe(password)) ? 0.3 : 0.9;
        // a user that is an e-mail address is reported as one: the finding is the password alone, so
        // the address (more confident) does not hide it when overlaps are resolved
        const start = text.lastIndexOf('@', passwordStart) > userStart ? passwordStart : userStart;
        findings.push(finding('url_credentials', name, start, passwordEnd, confidence));
      });
    },
  );
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `Password=…;` and `pwd=…` in key-value connection strings (ADO.NET, ODBC, JDBC parameters). */
const KEY_VALUE_PASSWORD =
  /(?<![A-Za-z0-9_])(?:password|pwd|passwd)\s{0,3}=\s{0,3}("[^"\n]{1,200}"|'[^'\n]{1,200}'|[^;&"'\s]{1,200})/gi;
/** Other keys of a connection string, which make a password= certain. */
const CONNECTION_KEYS =
  /(?:server|data source|host|hostname|database|initial catalog|user id|userid|uid|user|username|port|dsn|driver|provider|sslmode)\s{0,3}=/i;

function connectionStringDetector(): Detector {
  const name = 'secret.connection_string';
  return secretDetector(
    name,
    'connection_string',
    gate({ minLength: 8, any: HAS_AT | HAS_EQUALS }) /* "a://:b@c", "pwd=abcd" */,
    (text, budget, findings) => {
      if (hasNeedle(text, SCHEME_NEEDLE) && text.includes('@')) {
        eachUrlCredential(text, budget, (scheme, _userStart, passwordStart, passwordEnd) => {
          if (!DATABASE_SCHEMES.has(scheme) && !scheme.startsWith('jdbc')) return;
          const password = text.slice(passwordStart, passwordEnd);
          const confidence =
            isPlaceholder(password) || isPlaceholder(decodeURIComponentSafe(password)) ? 0.3 : 0.95;
          findings.push(finding('connection_string', name, passwordStart, passwordEnd, confidence));
        });
      }
      if (hasNeedle(text, PASSWORD_WORD)) {
        eachMatch(KEY_VALUE_PASSWORD, text, budget, (match) => {
          const raw = match[1] as string;
          const quoted = raw.startsWith('"') || raw.startsWith("'");
          const value = quoted ? raw.slice(1, -1) : raw;
          const valueStart = match.index + match[0].length - raw.length + (quoted ? 1 : 0);
          const valueEnd = valueStart + value.length;
          if (value.length < 4 || isPlaceholder(value)) return;
          const around = text.slice(Math.max(0, match.index - 300), Math.min(text.length, valueEnd + 300));
          const inConnectionString = CONNECTION_KEYS.test(around) && /[;&]/.test(around);
          findings.push(
            finding('connection_string', name, valueStart, valueEnd, inConnectionString ? 0.9 : 0.6),
          );
        });
      }
    },
  );
}

// --- generic secrets -------------------------------------------------------------------------------

/** Secret-sounding names, also inside longer identifiers (STRIPE_API_KEY, dbPassword, "apiKey"). */
const SECRET_NAME =
  /api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|credential|private[_-]?key|access[_-]?key|auth[_-]?key|signing[_-]?key|encryption[_-]?key/gi;
/** After the name: the rest of the identifier, an assignment, an optional quote, then the value. */
const ASSIGNED_VALUE =
  /[A-Za-z0-9_-]{0,24}["']?\s{0,3}(?:=>|:=|[:=])\s{0,3}(["'`]?)([^\s"'`,;(){}[\]<>]{12,256})/y;

/**
 * Whether an assigned value looks like a secret: long enough, random-looking (Shannon entropy) and
 * mixed (character classes), and not a placeholder, a path, a URL, a dotted identifier or a word.
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 12 || isPlaceholder(value)) return false;
  if (/^(?:https?:|\/|\.\/|~\/|[A-Za-z]:\\)/.test(value)) return false;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$/.test(value)) return false; // process.env.TOKEN
  if (/^[A-Za-z_]+$/.test(value) && value.length < 32) return false; // a word or an identifier
  if (/^\d+$/.test(value)) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return false; // an id
  const classes = characterClasses(value);
  const entropy = shannonEntropy(value);
  if (value.length >= 20) return classes >= 2 && entropy >= 3.5;
  return classes >= 3 && entropy >= 3;
}

function genericSecretDetector(): Detector {
  const name = 'secret.generic';
  return secretDetector(
    name,
    'generic_secret',
    gate({ minLength: 16, any: HAS_COLON | HAS_EQUALS }) /* "pwd=" + 12 */,
    (text, budget, findings) => {
      if (!hasNeedle(text, SECRET_NAME_WORD)) return;
      let searchedTo = 0;
      eachMatch(SECRET_NAME, text, budget, (match) => {
        const from = match.index + match[0].length;
        if (from < searchedTo) return;
        ASSIGNED_VALUE.lastIndex = from;
        const assigned = ASSIGNED_VALUE.exec(text);
        if (assigned === null) return;
        const quote = assigned[1] as string;
        let value = assigned[2] as string;
        const end = ASSIGNED_VALUE.lastIndex;
        if (quote === '' && text[end] === '(') return; // a call: token = getToken(...)
        value = value.replace(/[.]+$/, '');
        if (!looksLikeSecret(value)) return;
        const start = end - (assigned[2] as string).length;
        findings.push(
          finding('generic_secret', name, start, start + value.length, value.length >= 20 ? 0.8 : 0.7),
        );
        searchedTo = end;
      });
      ASSIGNED_VALUE.lastIndex = 0;
    },
  );
}
