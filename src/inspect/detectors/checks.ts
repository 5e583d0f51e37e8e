/**
 * Check digits and numbering-plan rules shared by the PII detectors: a digit run is reported as a
 * card, an identity number or a phone only when it is one by construction, not because of its length.
 * Every function takes digits only (no separators) and never throws.
 */
import {
  CCCD_PROVINCE_CODES,
  VN_LANDLINE_AREA_2,
  VN_LANDLINE_AREA_3,
  VN_MOBILE_PREFIXES,
} from './data/vn-codes.js';

/** Whether `digits` passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let value = digits.charCodeAt(index) - 0x30;
    if (value < 0 || value > 9) return false;
    if (double) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Whether all digits are the same ("0000000000000000" passes Luhn but is no card). */
export function isRepeatedDigit(digits: string): boolean {
  for (let index = 1; index < digits.length; index++) if (digits[index] !== digits[0]) return false;
  return true;
}

/**
 * The card scheme whose issuer prefix and length `digits` match, or undefined: Visa, Mastercard,
 * American Express, Discover, JCB, Diners Club, UnionPay, Maestro, Mir and Napas (Vietnam's domestic
 * scheme, 9704).
 */
export function cardScheme(digits: string): string | undefined {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  const six = Number(digits.slice(0, 6));
  if (digits.startsWith('4')) return length === 13 || length === 16 || length === 19 ? 'visa' : undefined;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
    return length === 16 ? 'mastercard' : undefined;
  if (two === 34 || two === 37) return length === 15 ? 'amex' : undefined;
  if (four >= 2200 && four <= 2204) return length >= 16 && length <= 19 ? 'mir' : undefined;
  if (four >= 3528 && four <= 3589) return length >= 16 && length <= 19 ? 'jcb' : undefined;
  if ((three >= 300 && three <= 305) || three === 309 || two === 36 || two === 38 || two === 39) {
    return length >= 14 && length <= 19 ? 'diners' : undefined;
  }
  if (four === 6011 || (three >= 644 && three <= 649) || two === 65 || (six >= 622126 && six <= 622925)) {
    return length >= 16 && length <= 19 ? 'discover' : undefined;
  }
  if (two === 62) return length >= 16 && length <= 19 ? 'unionpay' : undefined;
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(four)) {
    return length >= 12 && length <= 19 ? 'maestro' : undefined;
  }
  if (four === 9704) return length === 16 || length === 19 ? 'napas' : undefined;
  return undefined;
}

/** What a Vietnamese number is: a mobile or a landline (fixed) number. */
export type VietnamesePhoneKind = 'mobile' | 'landline';

/**
 * Classifies a Vietnamese phone number written nationally ("0912345678", "02438251234") or with the
 * country code ("84912345678", also "840912345678" from "+84 (0) 912…"), by the current mobile
 * prefixes and landline area codes. Undefined when it is neither.
 */
export function vietnamesePhoneKind(digits: string): VietnamesePhoneKind | undefined {
  let national = digits.startsWith('0084') ? digits.slice(2) : digits;
  if (national.startsWith('840')) {
    national = national.slice(2); // the trunk 0 kept after the country code
  } else if (national.startsWith('84')) {
    national = '0' + national.slice(2);
  }
  if (national[0] !== '0') return undefined;
  if (national.length === 10 && VN_MOBILE_PREFIXES.has(national.slice(1, 3))) return 'mobile';
  if (national.length === 11 && national[1] === '2') {
    if (VN_LANDLINE_AREA_2.has(national.slice(1, 3)) || VN_LANDLINE_AREA_3.has(national.slice(1, 4)))
      return 'landline';
  }
  return undefined;
}

/** A CCCD that passed the structure check: where and when its holder was born, and their sex. */
export interface CccdStructure {
  province: string;
  birthYear: number;
  sex: 'male' | 'female';
}

/**
 * Checks the structure of a 12-digit citizen identity number (CCCD / personal identification number,
 * Decree 137/2015/ND-CP and Circular 07/2016/TT-BCA): province code (3 digits), century-and-sex digit
 * (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, ...), the last two digits of the birth year, then a
 * 6-digit serial. The birth year must not be after `currentYear`.
 */
export function cccdStructure(digits: string, currentYear: number): CccdStructure | undefined {
  if (digits.length !== 12) return undefined;
  const province = CCCD_PROVINCE_CODES.get(digits.slice(0, 3));
  if (province === undefined) return undefined;
  const centuryDigit = digits.charCodeAt(3) - 0x30;
  const yearInCentury = Number(digits.slice(4, 6));
  if (centuryDigit < 0 || centuryDigit > 9 || Number.isNaN(yearInCentury)) return undefined;
  const birthYear = 1900 + Math.floor(centuryDigit / 2) * 100 + yearInCentury;
  if (birthYear > currentYear) return undefined;
  return { province, birthYear, sex: centuryDigit % 2 === 0 ? 'male' : 'female' };
}

const MST_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/**
 * Whether `digits` is a valid Vietnamese tax code (mã số thuế): 10 digits with the check digit
 * (weights 31, 29, 23, 19, 17, 13, 7, 5, 3, mod 11), or 13 for a branch (10 + 3); province 00,
 * serial 0000000 and branch 000 are refused. The same rules as `stdnum`'s `vn.mst` (a test holds
 * them equal), computed in place: candidates are checked on every digit run of the right length.
 */
export function taxCodeValid(digits: string): boolean {
  if (digits.length !== 10 && digits.length !== 13) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    const digit = digits.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return false;
    if (index < 9) sum += digit * (MST_WEIGHTS[index] ?? 0);
  }
  if (10 - (sum % 11) !== digits.charCodeAt(9) - 0x30) return false;
  const branch = digits.slice(10);
  return !digits.startsWith('00') && digits.slice(2, 9) !== '0000000' && branch !== '000';
}

/**
 * Whether a 9-digit US Social Security number is possible: area not 000, 666 or 900-999, group not
 * 00, serial not 0000, and not one of the numbers known to be published (078-05-1120, 219-09-9999).
 */
export function ssnValid(digits: string): boolean {
  if (digits.length !== 9) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false;
  return digits !== '078051120' && digits !== '219099999';
}

/**
 * Whether year-month-day is a real calendar date no later than `today` (a `Date`), and no more
 * than 130 years before it: a plausible date of birth.
 */
export function plausibleBirthDate(year: number, month: number, day: number, today: Date): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const parts = partsOf(today);
  // Before that year, as Date.UTC reads years 0-99 (as 1900-1999), every answer is no.
  if (year < parts.year - 130) return false;
  if (day > daysInMonth(year, month)) return false;
  // The calendar order of two real dates, without building a Date per candidate.
  if (year !== parts.year) return year < parts.year;
  if (month !== parts.month) return month < parts.month;
  return day <= parts.day;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year` in the proleptic Gregorian calendar, as Date.UTC counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}

let partsTime = NaN;
let partsValue = { year: 0, month: 0, day: 0 };

/** Local year, month (1-12) and day of `date`, remembered for the last instant asked about. */
function partsOf(date: Date): { year: number; month: number; day: number } {
  const time = date.getTime();
  if (time !== partsTime) {
    partsTime = time;
    partsValue = { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() };
  }
  return partsValue;
}
