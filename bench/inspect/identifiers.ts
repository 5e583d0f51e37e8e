/**
 * Generators of valid personal identifiers for the inspection benchmark, with the checks that make
 * them valid: Luhn card numbers of real brands, IBANs with correct check digits, Vietnamese CCCD
 * numbers with a real province code and a consistent century/gender digit, Vietnamese tax codes
 * (MST) with a correct check digit, phone numbers libphonenumber accepts as valid. A wrong
 * generator would make the benchmark meaningless, so `test/bench/inspect-synthetic.test.ts` checks
 * every generator against an independent validator (stdnum, ibantools, libphonenumber-js).
 *
 * All randomness comes from the seeded Faker passed in, so the same seed gives the same values.
 */
import type { Faker } from '@faker-js/faker';
import { isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

/** A generated value and the spelling variant it was written in (for per-variant recall). */
export interface GeneratedValue {
  value: string;
  variant: string;
}

/**
 * The 63 province codes of the 12-digit citizen identity number (CCCD), Circular 07/2016/TT-BCA
 * (the codes stay valid after the 2025 province mergers). Written out here on purpose rather than
 * imported from the detector's table (src/inspect/detectors/data/vn-codes.ts): the benchmark must
 * not share a mistake with the code it measures.
 */
export const CCCD_PROVINCE_CODES: ReadonlyMap<string, string> = new Map([
  ['001', 'Hà Nội'],
  ['002', 'Hà Giang'],
  ['004', 'Cao Bằng'],
  ['006', 'Bắc Kạn'],
  ['008', 'Tuyên Quang'],
  ['010', 'Lào Cai'],
  ['011', 'Điện Biên'],
  ['012', 'Lai Châu'],
  ['014', 'Sơn La'],
  ['015', 'Yên Bái'],
  ['017', 'Hòa Bình'],
  ['019', 'Thái Nguyên'],
  ['020', 'Lạng Sơn'],
  ['022', 'Quảng Ninh'],
  ['024', 'Bắc Giang'],
  ['025', 'Phú Thọ'],
  ['026', 'Vĩnh Phúc'],
  ['027', 'Bắc Ninh'],
  ['030', 'Hải Dương'],
  ['031', 'Hải Phòng'],
  ['033', 'Hưng Yên'],
  ['034', 'Thái Bình'],
  ['035', 'Hà Nam'],
  ['036', 'Nam Định'],
  ['037', 'Ninh Bình'],
  ['038', 'Thanh Hóa'],
  ['040', 'Nghệ An'],
  ['042', 'Hà Tĩnh'],
  ['044', 'Quảng Bình'],
  ['045', 'Quảng Trị'],
  ['046', 'Thừa Thiên Huế'],
  ['048', 'Đà Nẵng'],
  ['049', 'Quảng Nam'],
  ['051', 'Quảng Ngãi'],
  ['052', 'Bình Định'],
  ['054', 'Phú Yên'],
  ['056', 'Khánh Hòa'],
  ['058', 'Ninh Thuận'],
  ['060', 'Bình Thuận'],
  ['062', 'Kon Tum'],
  ['064', 'Gia Lai'],
  ['066', 'Đắk Lắk'],
  ['067', 'Đắk Nông'],
  ['068', 'Lâm Đồng'],
  ['070', 'Bình Phước'],
  ['072', 'Tây Ninh'],
  ['074', 'Bình Dương'],
  ['075', 'Đồng Nai'],
  ['077', 'Bà Rịa - Vũng Tàu'],
  ['079', 'Hồ Chí Minh'],
  ['080', 'Long An'],
  ['082', 'Tiền Giang'],
  ['083', 'Bến Tre'],
  ['084', 'Trà Vinh'],
  ['086', 'Vĩnh Long'],
  ['087', 'Đồng Tháp'],
  ['089', 'An Giang'],
  ['091', 'Kiên Giang'],
  ['092', 'Cần Thơ'],
  ['093', 'Hậu Giang'],
  ['094', 'Sóc Trăng'],
  ['095', 'Bạc Liêu'],
  ['096', 'Cà Mau'],
]);

/** The year the benchmark's data is anchored to: no birth year is later than this. */
export const REFERENCE_YEAR = 2026;

/** A digit string of `length` digits. */
function digits(faker: Faker, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += String(faker.number.int(9));
  return out;
}

/**
 * Calls `attempt` until it returns a value; a generator that keeps failing its own validity check
 * is a bug, so this gives up loudly instead of looping forever.
 */
function until<T>(what: string, attempt: () => T | undefined): T {
  for (let tries = 0; tries < 10_000; tries++) {
    const value = attempt();
    if (value !== undefined) return value;
  }
  throw new Error(
    `could not generate a valid ${what} in 10,000 attempts: the generator or its validator is wrong`,
  );
}

/** True when `value` (digits only) passes the Luhn check. */
export function luhnValid(value: string): boolean {
  if (!/^\d{2,}$/.test(value)) return false;
  let sum = 0;
  for (let index = 0; index < value.length; index++) {
    let digit = Number(value[value.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `partial`. */
function luhnCheckDigit(partial: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(partial + String(digit))) return String(digit);
  }
  throw new Error('unreachable: some Luhn check digit always exists');
}

interface CardBrand {
  name: string;
  prefixes: readonly string[];
  length: number;
  /** Group sizes when written with separators. */
  groups: readonly number[];
}

const CARD_BRANDS: readonly CardBrand[] = [
  { name: 'visa', prefixes: ['4'], length: 16, groups: [4, 4, 4, 4] },
  {
    name: 'mastercard',
    prefixes: ['51', '52', '53', '54', '55', '2221', '2720'],
    length: 16,
    groups: [4, 4, 4, 4],
  },
  { name: 'amex', prefixes: ['34', '37'], length: 15, groups: [4, 6, 5] },
  { name: 'discover', prefixes: ['6011', '65'], length: 16, groups: [4, 4, 4, 4] },
  { name: 'jcb', prefixes: ['3528', '3566', '3589'], length: 16, groups: [4, 4, 4, 4] },
  { name: 'unionpay', prefixes: ['62'], length: 16, groups: [4, 4, 4, 4] },
];

function grouped(value: string, groups: readonly number[], separator: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    parts.push(value.slice(at, at + size));
    at += size;
  }
  return parts.join(separator);
}

/** A Luhn-valid card number of a random brand, written plain, with spaces or with dashes. */
export function generateCard(faker: Faker): GeneratedValue {
  const brand = faker.helpers.arrayElement(CARD_BRANDS);
  const prefix = faker.helpers.arrayElement(brand.prefixes);
  const partial = prefix + digits(faker, brand.length - prefix.length - 1);
  const number = partial + luhnCheckDigit(partial);
  const style = faker.helpers.weightedArrayElement([
    { weight: 4, value: 'plain' },
    { weight: 5, value: 'spaces' },
    { weight: 1, value: 'dashes' },
  ]);
  const value = style === 'plain' ? number : grouped(number, brand.groups, style === 'spaces' ? ' ' : '-');
  return { value, variant: `${brand.name}_${style}` };
}

/** Countries whose IBANs the set uses (SEPA and a few others that use IBAN). */
const IBAN_COUNTRIES: readonly string[] = 'DE FR GB NL ES IT BE CH PL AT SE PT IE AE SA'.split(' ');

/** A valid IBAN (checked with ibantools), electronic or in groups of four. */
export function generateIban(faker: Faker): GeneratedValue {
  const country = faker.helpers.arrayElement(IBAN_COUNTRIES);
  return until('IBAN', () => {
    const electronic = faker.finance.iban({ formatted: false, countryCode: country });
    if (!isValidIBAN(electronic)) return undefined;
    const spaced = faker.datatype.boolean(0.5);
    return {
      value: spaced ? electronic.replace(/(.{4})(?!$)/g, '$1 ') : electronic,
      variant: `${country}_${spaced ? 'spaced' : 'electronic'}`,
    };
  });
}

/** The century/gender digit of a CCCD: 0/1 for 1900–1999 (male/female), 2/3 for 2000–2099, and so on. */
export function cccdCenturyDigit(year: number, female: boolean): number {
  return (Math.floor(year / 100) - 19) * 2 + (female ? 1 : 0);
}

/** True when `value` is a well-formed CCCD: a real province code, a valid century digit, a birth year not in the future. */
export function isValidCccd(value: string, referenceYear = REFERENCE_YEAR): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  if (!CCCD_PROVINCE_CODES.has(value.slice(0, 3))) return false;
  const century = Number(value[3]);
  const year = 1900 + Math.floor(century / 2) * 100 + Number(value.slice(4, 6));
  return year <= referenceYear;
}

/** A CCCD number for a person born in `year`. */
export function generateCccd(faker: Faker, year: number, female: boolean): GeneratedValue {
  const province = faker.helpers.arrayElement([...CCCD_PROVINCE_CODES.keys()]);
  const value = `${province}${cccdCenturyDigit(year, female)}${String(year % 100).padStart(2, '0')}${digits(faker, 6)}`;
  return { value, variant: 'cccd_12' };
}

/** Weights of the MST check digit (Vietnamese tax code), as stdnum's vn.mst validates it. */
const MST_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

/** The MST check digit for nine digits, or undefined when none exists (the weighted sum is 0 mod 11). */
function mstCheckDigit(nine: string): string | undefined {
  let sum = 0;
  for (let index = 0; index < 9; index++) sum += Number(nine[index]) * (MST_WEIGHTS[index] as number);
  const remainder = sum % 11;
  return remainder === 0 ? undefined : String(10 - remainder);
}

/** A valid MST: 10 digits (an enterprise) or 13 (a branch, usually written `0101234567-001`). */
export function generateMst(faker: Faker): GeneratedValue {
  return until('MST', () => {
    const province = String(faker.number.int({ min: 1, max: 79 })).padStart(2, '0');
    const sequence = digits(faker, 7);
    if (sequence === '0000000') return undefined;
    const check = mstCheckDigit(province + sequence);
    if (check === undefined) return undefined;
    const base = province + sequence + check;
    const shape = faker.helpers.weightedArrayElement([
      { weight: 6, value: 'mst_10' },
      { weight: 3, value: 'mst_13_dash' },
      { weight: 1, value: 'mst_13_plain' },
    ]);
    if (shape === 'mst_10') return { value: base, variant: shape };
    const branch = String(faker.number.int({ min: 1, max: 999 })).padStart(3, '0');
    return { value: shape === 'mst_13_dash' ? `${base}-${branch}` : base + branch, variant: shape };
  });
}

/** Vietnamese mobile prefixes in use since the 2018 renumbering (Viettel, MobiFone, VinaPhone, Vietnamobile, Gmobile). */
const VN_MOBILE_PREFIXES: readonly string[] = [
  '32 33 34 35 36 37 38 39 86 96 97 98', // Viettel
  '70 76 77 78 79 89 90 93', // MobiFone
  '81 82 83 84 85 88 91 94', // VinaPhone
  '52 56 58 92', // Vietnamobile
  '59 99', // Gmobile
].flatMap((group) => group.split(' '));

/** Vietnamese landline area codes (without the trunk 0): two digits for Hà Nội and HCMC, three elsewhere. */
const VN_AREA_CODES: readonly string[] = [
  '24 28', // Hà Nội, Hồ Chí Minh City
  '203 204 205 206 207 208 209 210 211 212 213 214 215 216 218 219 220 221 222 225',
  '226 227 228 229 232 233 234 235 236 237 238 239 251 252 254 255 256 257 258 259',
  '260 261 262 263 269 270 271 272 273 274 275 276 277 290 291 292 293 294 296 297',
  '299',
].flatMap((group) => group.split(' '));

function isValidPhone(national: string, country: CountryCode): boolean {
  return parsePhoneNumberFromString(national, country)?.isValid() === true;
}

/** A Vietnamese mobile number in one of the usual spellings. */
export function generateVnMobile(faker: Faker): GeneratedValue {
  return until('Vietnamese mobile number', () => {
    const nsn = faker.helpers.arrayElement(VN_MOBILE_PREFIXES) + digits(faker, 7); // 9 digits after the trunk 0
    if (!isValidPhone(`0${nsn}`, 'VN')) return undefined;
    const a = nsn.slice(0, 3);
    const b = nsn.slice(3, 6);
    const c = nsn.slice(6);
    const spellings: [string, string][] = [
      ['vn_mobile_compact', `0${nsn}`],
      ['vn_mobile_4_3_3', `0${a} ${b} ${c}`],
      ['vn_mobile_3_3_4', `0${nsn.slice(0, 2)} ${nsn.slice(2, 5)} ${nsn.slice(5)}`],
      ['vn_mobile_dots', `0${a}.${b}.${c}`],
      ['vn_mobile_dashes', `0${a}-${b}-${c}`],
      ['vn_mobile_intl_spaced', `+84 ${a} ${b} ${c}`],
      ['vn_mobile_e164', `+84${nsn}`],
      ['vn_mobile_intl_paren', `(+84) ${a} ${b} ${c}`],
    ];
    const [variant, value] = faker.helpers.arrayElement(spellings);
    return { value, variant };
  });
}

/** A Vietnamese landline number (area code + subscriber) in one of the usual spellings. */
export function generateVnLandline(faker: Faker): GeneratedValue {
  return until('Vietnamese landline number', () => {
    const area = faker.helpers.arrayElement(VN_AREA_CODES);
    // Hà Nội / HCMC: 2-digit area code + 8-digit subscriber; elsewhere 3-digit area code + 7 digits.
    const sub = faker.helpers.arrayElement(['2', '3', '6']) + digits(faker, 10 - area.length - 1);
    const nsn = area + sub;
    if (!isValidPhone(`0${nsn}`, 'VN')) return undefined;
    const left = sub.slice(0, 4);
    const right = sub.slice(4);
    const spellings: [string, string][] = [
      ['vn_landline_spaced', `0${area} ${left} ${right}`],
      ['vn_landline_paren', `(0${area}) ${left} ${right}`],
      ['vn_landline_dots', `0${area}.${left}.${right}`],
      ['vn_landline_compact', `0${nsn}`],
      ['vn_landline_intl', `+84 ${area} ${left} ${right}`],
    ];
    const [variant, value] = faker.helpers.arrayElement(spellings);
    return { value, variant };
  });
}

/** National number shapes per country ('x' = random digit); kept only when libphonenumber says valid. */
const INTERNATIONAL_SHAPES: Readonly<Record<string, readonly string[]>> = {
  US: [
    '212xxxxxxx',
    '310xxxxxxx',
    '415xxxxxxx',
    '617xxxxxxx',
    '206xxxxxxx',
    '312xxxxxxx',
    '646xxxxxxx',
    '512xxxxxxx',
  ],
  GB: ['207xxxxxxx', '161xxxxxxx', '74xxxxxxxx', '79xxxxxxxx'],
  DE: ['30xxxxxxxx', '89xxxxxxx', '151xxxxxxxx', '170xxxxxxx'],
  FR: ['1xxxxxxxx', '6xxxxxxxx', '7xxxxxxxx'],
  SG: ['6xxxxxxx', '8xxxxxxx', '9xxxxxxx'],
  JP: ['3xxxxxxxx', '90xxxxxxxx', '80xxxxxxxx'],
  AU: ['2xxxxxxxx', '4xxxxxxxx'],
  KR: ['10xxxxxxxx', '2xxxxxxxx'],
};

/** A non-Vietnamese phone number: international format, E.164, or (US) national format. */
export function generateInternationalPhone(faker: Faker): GeneratedValue {
  return until('phone number', () => {
    const country = faker.helpers.objectKey(INTERNATIONAL_SHAPES) as CountryCode;
    const shape = faker.helpers.arrayElement(INTERNATIONAL_SHAPES[country] ?? []);
    const national = shape.replace(/x/g, () => String(faker.number.int(9)));
    const parsed = parsePhoneNumberFromString(national, country);
    if (parsed === undefined || !parsed.isValid()) return undefined;
    const choices: [string, string][] = [
      ['intl_spaced', parsed.formatInternational()],
      ['intl_e164', parsed.number],
    ];
    if (country === 'US') {
      choices.push(
        ['us_national', parsed.formatNational()],
        ['us_dashes', parsed.formatNational().replace(/^\((\d{3})\) /, '$1-')],
      );
    }
    const [variant, value] = faker.helpers.arrayElement(choices);
    return { value, variant: `${country}_${variant}` };
  });
}

/** True when the nine digits are an assignable SSN (area not 000/666/9xx, group not 00, serial not 0000). */
export function isValidSsn(value: string): boolean {
  const plain = value.replace(/[- ]/g, '');
  if (!/^\d{9}$/.test(plain)) return false;
  const area = plain.slice(0, 3);
  return (
    area !== '000' &&
    area !== '666' &&
    area[0] !== '9' &&
    plain.slice(3, 5) !== '00' &&
    plain.slice(5) !== '0000'
  );
}

/** A US social security number, dashed, spaced or plain. */
export function generateSsn(faker: Faker): GeneratedValue {
  return until('SSN', () => {
    const plain = String(faker.number.int({ min: 1, max: 899 })).padStart(3, '0') + digits(faker, 6);
    if (!isValidSsn(plain)) return undefined;
    const style = faker.helpers.weightedArrayElement([
      { weight: 7, value: 'dashes' },
      { weight: 2, value: 'spaces' },
      { weight: 1, value: 'plain' },
    ]);
    const a = plain.slice(0, 3);
    const b = plain.slice(3, 5);
    const c = plain.slice(5);
    const value = style === 'dashes' ? `${a}-${b}-${c}` : style === 'spaces' ? `${a} ${b} ${c}` : plain;
    return { value, variant: `ssn_${style}` };
  });
}

/** A passport number: Vietnamese (letter + 7 digits) or US (9 digits). */
export function generatePassport(faker: Faker, vietnamese: boolean): GeneratedValue {
  if (vietnamese) {
    return {
      value: faker.helpers.arrayElement(['B', 'C', 'N', 'P']) + digits(faker, 7),
      variant: 'vn_passport',
    };
  }
  return { value: faker.helpers.arrayElement(['5', '6']) + digits(faker, 8), variant: 'us_passport' };
}

/** Vietnamese banks with the length and leading digits of their account numbers. */
export const VN_BANKS: readonly { name: string; lead: string; length: number }[] = [
  { name: 'Vietcombank', lead: '00', length: 13 },
  { name: 'Techcombank', lead: '190', length: 14 },
  { name: 'VietinBank', lead: '10', length: 12 },
  { name: 'BIDV', lead: '31', length: 14 },
  { name: 'MB Bank', lead: '068', length: 13 },
  { name: 'ACB', lead: '', length: 9 },
  { name: 'VPBank', lead: '1', length: 9 },
  { name: 'Sacombank', lead: '06', length: 12 },
  { name: 'Agribank', lead: '15', length: 13 },
];

/** A bank account number (no IBAN): a Vietnamese bank's shape, or a US-style 10–12 digit number. */
export function generateBankAccount(faker: Faker, vietnamese: boolean): GeneratedValue & { bank: string } {
  if (!vietnamese) {
    const length = faker.number.int({ min: 10, max: 12 });
    return {
      value: String(faker.number.int({ min: 1, max: 9 })) + digits(faker, length - 1),
      variant: `us_account_${length}`,
      bank: 'Chase',
    };
  }
  const bank = faker.helpers.arrayElement(VN_BANKS);
  const first = bank.lead === '' ? String(faker.number.int({ min: 1, max: 9 })) : bank.lead;
  return {
    value: first + digits(faker, bank.length - first.length),
    variant: `vn_account_${bank.length}`,
    bank: bank.name,
  };
}

/** First octets of publicly routed IPv4 blocks (113, 14 and 27 among them are Vietnamese ISPs'). */
const PUBLIC_FIRST_OCTETS: readonly number[] = [
  14, 27, 42, 51, 58, 66, 74, 81, 91, 103, 113, 118, 125, 142, 171, 185, 203, 212, 221,
];

/** An IPv4 (public or private) or IPv6 (full or compressed) address. */
export function generateIp(faker: Faker): GeneratedValue {
  const kind = faker.helpers.weightedArrayElement([
    { weight: 5, value: 'ipv4_public' },
    { weight: 2, value: 'ipv4_private' },
    { weight: 2, value: 'ipv6_compressed' },
    { weight: 1, value: 'ipv6_full' },
  ]);
  if (kind === 'ipv4_public') {
    return {
      value: [
        faker.helpers.arrayElement(PUBLIC_FIRST_OCTETS),
        faker.number.int(255),
        faker.number.int(255),
        faker.number.int({ min: 1, max: 254 }),
      ].join('.'),
      variant: kind,
    };
  }
  if (kind === 'ipv4_private') {
    const value = faker.datatype.boolean()
      ? `10.${faker.number.int(255)}.${faker.number.int(255)}.${faker.number.int({ min: 1, max: 254 })}`
      : `192.168.${faker.number.int(255)}.${faker.number.int({ min: 1, max: 254 })}`;
    return { value, variant: kind };
  }
  const groups = Array.from({ length: 8 }, () => faker.number.hex({ min: 0, max: 0xffff }));
  groups[0] = '2001';
  groups[1] = faker.helpers.arrayElement(['db8', '4860', '0df8', '41d0']);
  if (kind === 'ipv6_full') return { value: groups.join(':'), variant: kind };
  return { value: `${groups.slice(0, 3).join(':')}::${groups.slice(6).join(':')}`, variant: kind };
}
