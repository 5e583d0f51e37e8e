/**
 * The inspection benchmark's synthetic PII set must hold valid identifiers, or its figures mean
 * nothing: each generated value is checked here against an independent validator (stdnum for tax
 * codes, ibantools for IBANs, libphonenumber-js for phones) or the published rules (CCCD, Luhn, SSN).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { stdnum } from 'stdnum';
import {
  CCCD_PROVINCE_CODES,
  REFERENCE_YEAR,
  isValidCccd,
  isValidSsn,
  luhnValid,
} from '../../bench/inspect/identifiers.js';
import { generateFreshSet } from '../../bench/inspect/synthetic-fresh.js';
import { PII_TYPES, countGold, generateSyntheticSet } from '../../bench/inspect/synthetic.js';
import type { PiiType, SyntheticExample } from '../../bench/inspect/synthetic.js';

const main = generateSyntheticSet({ perType: 60, seed: 7 });
const fresh = generateFreshSet({ perType: 30, seed: 9 });
/** Both template families: every check below holds for each. */
const examples = [...main, ...fresh];

function valuesOf(
  type: PiiType,
  set: readonly SyntheticExample[] = examples,
): { value: string; variant: string; example: SyntheticExample }[] {
  return set.flatMap((example) =>
    example.spans
      .filter((span) => span.type === type)
      .map((span) => ({ value: example.text.slice(span.start, span.end), variant: span.variant, example })),
  );
}

describe('the synthetic PII set of bench:inspect', () => {
  test('the same seed gives the same set, another seed another set', () => {
    assert.deepEqual(generateSyntheticSet({ perType: 60, seed: 7 }), main);
    assert.notDeepEqual(generateSyntheticSet({ perType: 60, seed: 8 }), main);
    assert.deepEqual(generateFreshSet({ perType: 30, seed: 9 }), fresh);
  });

  test('the full-size set has at least 300 labelled values of every type', () => {
    const counts = countGold(generateSyntheticSet());
    for (const type of PII_TYPES) assert.ok(counts[type] >= 300, `${type}: ${counts[type]}`);
  });

  test('labels lie inside their text, do not overlap, and negatives carry none', () => {
    for (const example of examples) {
      const spans = [...example.spans].sort((a, b) => a.start - b.start);
      for (const [index, span] of spans.entries()) {
        assert.ok(span.start >= 0 && span.start < span.end && span.end <= example.text.length, example.id);
        assert.equal(
          example.text.slice(span.start, span.end).trim(),
          example.text.slice(span.start, span.end),
          example.id,
        );
        if (index > 0) assert.ok(spans[index - 1]!.end <= span.start, `${example.id}: overlapping labels`);
      }
      if (example.focus === 'negative') assert.deepEqual(example.spans, [], example.id);
    }
  });

  test('the province code table has the 63 codes of Circular 07/2016/TT-BCA', () => {
    assert.equal(CCCD_PROVINCE_CODES.size, 63);
    for (const code of CCCD_PROVINCE_CODES.keys()) assert.match(code, /^0\d{2}$/);
    assert.equal(CCCD_PROVINCE_CODES.get('001'), 'Hà Nội');
    assert.equal(CCCD_PROVINCE_CODES.get('079'), 'Hồ Chí Minh');
    assert.equal(CCCD_PROVINCE_CODES.get('096'), 'Cà Mau');
    assert.equal(CCCD_PROVINCE_CODES.has('003'), false);
  });

  test('CCCD numbers have a real province code, a valid century digit and a birth year not in the future', () => {
    const cccds = valuesOf('vn_cccd');
    assert.ok(cccds.length >= 60);
    for (const { value } of cccds) {
      assert.ok(isValidCccd(value), value);
      assert.ok(CCCD_PROVINCE_CODES.has(value.slice(0, 3)), value);
      assert.ok(Number(value[3]) <= 3, `${value}: century digit for 1900–2099`);
    }
    assert.equal(isValidCccd('003090123456'), false, 'province 003 does not exist');
    assert.equal(
      isValidCccd(`0012${String((REFERENCE_YEAR % 100) + 1).padStart(2, '0')}123456`),
      false,
      'born next year',
    );
  });

  test('a CCCD printed with a birth date carries that birth year and a matching century digit', () => {
    let checked = 0;
    for (const example of examples) {
      const cccd = example.spans.find((span) => span.type === 'vn_cccd');
      const birth = example.spans.find((span) => span.type === 'date_of_birth');
      if (cccd === undefined || birth === undefined) continue;
      const value = example.text.slice(cccd.start, cccd.end);
      const year = Number(/\d{4}/.exec(example.text.slice(birth.start, birth.end))![0]);
      assert.equal(Number(value[3]) >> 1, Math.floor(year / 100) - 19, value);
      assert.equal(value.slice(4, 6), String(year % 100).padStart(2, '0'), value);
      checked += 1;
    }
    assert.ok(checked > 0);
  });

  test('tax codes (MST, 10 and 13 digits) pass stdnum vn.mst', () => {
    const codes = valuesOf('vn_tax_code');
    assert.ok(codes.some(({ value }) => /^\d{10}$/.test(value)));
    assert.ok(codes.some(({ value }) => /^\d{10}-?\d{3}$/.test(value)));
    for (const { value } of codes) assert.equal(stdnum.VN!.mst!.validate(value).isValid, true, value);
    assert.equal(
      stdnum.VN!.mst!.validate('0100233489').isValid,
      false,
      'a wrong check digit is refused by the validator itself',
    );
  });

  test('card numbers pass the Luhn check, in several brands and spellings', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('378282246310005'), true);
    const cards = valuesOf('payment_card');
    for (const { value } of cards) assert.ok(luhnValid(value.replace(/[ -]/g, '')), value);
    const brands = new Set(cards.map(({ variant }) => variant.split('_')[0]));
    assert.ok(brands.size >= 4, [...brands].join(','));
    assert.ok(
      cards.some(({ value }) => value.includes(' ')) && cards.some(({ value }) => /^\d+$/.test(value)),
    );
  });

  test('IBANs pass ibantools, from several countries', () => {
    const ibans = valuesOf('iban');
    for (const { value } of ibans) assert.equal(isValidIBAN(electronicFormatIBAN(value) ?? ''), true, value);
    assert.ok(new Set(ibans.map(({ value }) => value.slice(0, 2))).size >= 5);
  });

  test('phone numbers are valid for libphonenumber-js (full metadata), Vietnamese and international', () => {
    const phones = valuesOf('phone');
    for (const { value, variant } of phones) {
      const parsed = parsePhoneNumberFromString(value, variant.startsWith('US_') ? 'US' : 'VN');
      assert.equal(parsed?.isValid(), true, `${value} (${variant})`);
    }
    assert.ok(phones.some(({ variant }) => variant.startsWith('vn_mobile')));
    assert.ok(phones.some(({ variant }) => variant.startsWith('vn_landline')));
    assert.ok(phones.some(({ value }) => value.startsWith('+') && !value.startsWith('+84')));
  });

  test('US social security numbers are assignable (no 000, 666 or 9xx area, no 00 group, no 0000 serial)', () => {
    for (const { value } of valuesOf('us_ssn')) assert.ok(isValidSsn(value), value);
    assert.equal(isValidSsn('666-12-3456'), false);
    assert.equal(isValidSsn('123-00-4567'), false);
  });
});
