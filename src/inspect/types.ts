/**
 * Contract of content inspection. Detectors are pure functions from text to findings; the scanner
 * walks JSON values and feeds them every string; the action engine masks, tokenizes or blocks what
 * was found. Nothing here ever stores or logs a found value.
 */

/** What kind of thing a finding is. */
export type FindingCategory = 'pii' | 'secret' | 'injection';

/**
 * Every finding type Warden reports, with its category and the data class it belongs to by default
 * (config can move a type to another class). Type names are stable: they appear in config, in
 * policies (`context.findings`), in masks (`[EMAIL]`) and in the audit log.
 */
export const FINDING_TYPES = {
  // PII, global
  email: { category: 'pii', dataClass: 'confidential' },
  phone: { category: 'pii', dataClass: 'confidential' },
  payment_card: { category: 'pii', dataClass: 'restricted' },
  iban: { category: 'pii', dataClass: 'restricted' },
  ip_address: { category: 'pii', dataClass: 'internal' },
  date_of_birth: { category: 'pii', dataClass: 'confidential' },
  us_ssn: { category: 'pii', dataClass: 'restricted' },
  passport: { category: 'pii', dataClass: 'restricted' },
  person_name: { category: 'pii', dataClass: 'confidential' },
  // PII, Vietnam (Decree 13/2023/ND-CP)
  vn_cccd: { category: 'pii', dataClass: 'restricted' },
  vn_cmnd: { category: 'pii', dataClass: 'restricted' },
  vn_tax_code: { category: 'pii', dataClass: 'confidential' },
  bank_account: { category: 'pii', dataClass: 'restricted' },
  address: { category: 'pii', dataClass: 'confidential' },
  // secrets
  url_credentials: { category: 'secret', dataClass: 'restricted' },
  aws_key: { category: 'secret', dataClass: 'restricted' },
  gcp_key: { category: 'secret', dataClass: 'restricted' },
  azure_key: { category: 'secret', dataClass: 'restricted' },
  github_token: { category: 'secret', dataClass: 'restricted' },
  gitlab_token: { category: 'secret', dataClass: 'restricted' },
  slack_token: { category: 'secret', dataClass: 'restricted' },
  stripe_key: { category: 'secret', dataClass: 'restricted' },
  openai_key: { category: 'secret', dataClass: 'restricted' },
  anthropic_key: { category: 'secret', dataClass: 'restricted' },
  private_key: { category: 'secret', dataClass: 'restricted' },
  jwt: { category: 'secret', dataClass: 'restricted' },
  connection_string: { category: 'secret', dataClass: 'restricted' },
  generic_secret: { category: 'secret', dataClass: 'restricted' },
  // prompt injection (spans point at the suspicious text; the score is on the scan result)
  injection_phrase: { category: 'injection', dataClass: 'public' },
  hidden_text: { category: 'injection', dataClass: 'public' },
  exfiltration_link: { category: 'injection', dataClass: 'public' },
  tool_call_text: { category: 'injection', dataClass: 'public' },
  encoded_payload: { category: 'injection', dataClass: 'public' },
} as const satisfies Record<string, { category: FindingCategory; dataClass: string }>;

export type FindingType = keyof typeof FINDING_TYPES;

export const FINDING_TYPE_NAMES = Object.keys(FINDING_TYPES) as FindingType[];

/** One thing a detector found in one string. Offsets are UTF-16 code unit indexes into that string. */
export interface Finding {
  type: FindingType;
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset. */
  end: number;
  /** 0..1: how sure the detector is. Reported findings have confidence ≥ the scanner's threshold. */
  confidence: number;
  /** Which detector produced it, e.g. `pii.email`, `vn.cccd`, `secret.aws`, `injection.rules`. */
  detector: string;
}

/** Budget shared by every detector during one scan; detectors check it in their loops. */
export interface ScanBudget {
  /** `performance.now()` value after which the scan must stop and fail closed. */
  readonly deadline: number;
}

/** A detector: pure, synchronous, bounded. It must not throw on any input (the scanner still guards it). */
export interface Detector {
  /** Stable name, e.g. `pii.email`. */
  readonly name: string;
  readonly category: FindingCategory;
  /** Types this detector can report (for `warden scan --list` and the bench). */
  readonly types: readonly FindingType[];
  detect(text: string, budget: ScanBudget): Finding[];
}

/** The injection classifier and rules combined into one calibrated probability for a text. */
export interface InjectionScorer {
  /** 0..1 probability that `text` carries a prompt injection, with the rule findings that raised it. */
  score(
    text: string,
    kind: 'prompt' | 'tool_output',
    budget: ScanBudget,
  ): { score: number; findings: Finding[] };
}

/** A finding located in a JSON value: `path` is a JSON pointer (RFC 6901) to the string it is in. */
export interface LocatedFinding extends Finding {
  path: string;
}

export interface ScanLimits {
  /** Longest single string scanned, in UTF-16 units; longer strings fail the scan (closed). */
  maxStringLength: number;
  /** Total UTF-16 units across all strings of one value. */
  maxTotalLength: number;
  /** Deepest nesting of arrays/objects walked. */
  maxDepth: number;
  /** Most strings visited in one value. */
  maxStrings: number;
  /** Wall-clock budget for the whole scan, milliseconds. */
  timeBudgetMs: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxStringLength: 4 * 1024 * 1024,
  maxTotalLength: 16 * 1024 * 1024,
  maxDepth: 64,
  maxStrings: 100_000,
  timeBudgetMs: 2_000,
};

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  /** Run only these categories (default: all). */
  categories?: readonly FindingCategory[];
  /** Findings below this confidence are dropped (default 0.5). */
  minConfidence?: number;
  /** What kind of text this is, for the injection scorer: arguments and prompts are `prompt`, results `tool_output`. */
  kind?: 'prompt' | 'tool_output';
}

export interface ScanResult {
  findings: LocatedFinding[];
  /** Highest injection probability over the strings scanned, 0..1 (0 when injection was not scanned). */
  injectionScore: number;
  /** Strings and UTF-16 units scanned. */
  strings: number;
  length: number;
  durationMs: number;
}
