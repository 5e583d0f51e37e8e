/** Small, predictable detectors and a scorer for scanner and engine tests. */
import type {
  Detector,
  Finding,
  FindingCategory,
  FindingType,
  InjectionScorer,
  ScanBudget,
} from '../../src/inspect/types.js';

/** A detector reporting every match of `pattern` as `type` with a fixed confidence. */
export function regexDetector(
  name: string,
  category: FindingCategory,
  type: FindingType,
  pattern: RegExp,
  confidence = 0.9,
): Detector {
  return {
    name,
    category,
    types: [type],
    detect(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) {
        findings.push({
          type,
          start: match.index,
          end: match.index + match[0].length,
          confidence,
          detector: name,
        });
      }
      return findings;
    },
  };
}

export const fakeEmail = (): Detector =>
  regexDetector('fake.email', 'pii', 'email', /[a-z0-9.]{1,64}@[a-z0-9-]{1,63}\.[a-z]{2,10}/, 0.95);
/** Digit runs of 10-12 as phones (0.7) and as bank accounts (0.85): they overlap on purpose. */
export const fakePhone = (): Detector => regexDetector('fake.phone', 'pii', 'phone', /\b0\d{9,11}\b/, 0.7);
export const fakeBank = (): Detector =>
  regexDetector('fake.bank', 'pii', 'bank_account', /\b\d{10,12}\b/, 0.85);
export const fakeCard = (): Detector =>
  regexDetector('fake.card', 'pii', 'payment_card', /\b4\d{15}\b/, 0.99);
export const fakeAws = (): Detector =>
  regexDetector('fake.aws', 'secret', 'aws_key', /AKIA[A-Z0-9]{16}/, 0.99);
export const fakeName = (): Detector =>
  regexDetector('fake.name', 'pii', 'person_name', /Nguyen Van [A-Z][a-z]+/, 0.6);

export function throwingDetector(message = 'boom on secret value hunter2'): Detector {
  return {
    name: 'fake.throws',
    category: 'pii',
    types: ['email'],
    detect(): Finding[] {
      throw new Error(message);
    },
  };
}

export function malformedDetector(finding: unknown): Detector {
  return {
    name: 'fake.malformed',
    category: 'pii',
    types: ['email'],
    detect(): Finding[] {
      return [finding as Finding];
    },
  };
}

/** Spins until the budget's deadline, as a detector stuck on a hard input would (it checks the budget and gives up). */
export function slowDetector(): Detector {
  return {
    name: 'fake.slow',
    category: 'pii',
    types: ['email'],
    detect(_text: string, budget: ScanBudget): Finding[] {
      while (performance.now() <= budget.deadline) {
        // busy
      }
      return [];
    },
  };
}

/** Scores 0.9 when the text says "ignore previous instructions" (reporting the phrase), else 0.05; records the kinds it saw. */
export function fakeScorer(): InjectionScorer & { kinds: string[] } {
  const kinds: string[] = [];
  return {
    kinds,
    score(text: string, kind: 'prompt' | 'tool_output') {
      kinds.push(kind);
      const index = text.toLowerCase().indexOf('ignore previous instructions');
      if (index < 0) return { score: 0.05, findings: [] };
      return {
        score: 0.9,
        findings: [
          {
            type: 'injection_phrase',
            start: index,
            end: index + 28,
            confidence: 0.9,
            detector: 'fake.injection',
          },
        ],
      };
    },
  };
}
