import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { validate as validateMst } from 'stdnum/lib/cjs/vn/mst.js';
import { cccdStructure, taxCodeValid, vietnamesePhoneKind } from '../../src/inspect/detectors/checks.js';
import {
  CCCD_PROVINCE_CODES,
  VN_LANDLINE_AREA_3,
  VN_MOBILE_PREFIXES,
} from '../../src/inspect/detectors/data/vn-codes.js';
import { addressKeywords } from '../../src/inspect/detectors/address-keywords.js';
import { contextBefore, kindMask, labelMayEndNear } from '../../src/inspect/detectors/context.js';
import { CONTEXT_WORDS } from '../../src/inspect/detectors/data/context-words.js';
import { ADDRESS_KEYWORDS, CITY } from '../../src/inspect/detectors/data/vn-address.js';
import { defaultDetectors } from '../../src/inspect/detectors/index.js';
import { vietnamDetectors } from '../../src/inspect/detectors/vietnam.js';
import { FINDING_TYPES } from '../../src/inspect/types.js';
import type { FindingType } from '../../src/inspect/types.js';

const DETECTORS = vietnamDetectors();
const budget = () => ({ deadline: performance.now() + 60_000 });
const YEAR = new Date().getFullYear();

interface Found {
  type: FindingType;
  value: string;
  confidence: number;
}

function scan(text: string): Found[] {
  const found: Found[] = [];
  for (const detector of DETECTORS) {
    for (const finding of detector.detect(text, budget())) {
      assert.ok(
        finding.start >= 0 && finding.end <= text.length && finding.start < finding.end,
        'span in text',
      );
      assert.ok(finding.confidence >= 0 && finding.confidence <= 1, 'confidence in 0..1');
      assert.ok(detector.types.includes(finding.type), `${detector.name} reports only its types`);
      found.push({
        type: finding.type,
        value: text.slice(finding.start, finding.end),
        confidence: finding.confidence,
      });
    }
  }
  return found;
}

/** Values of `type` reported at the scanner's default threshold (0.5). */
function reported(text: string, type: FindingType): string[] {
  return scan(text)
    .filter((found) => found.type === type && found.confidence >= 0.5)
    .map((found) => found.value);
}

function confidenceOf(text: string, type: FindingType, value: string): number | undefined {
  return scan(text).find((found) => found.type === type && found.value === value)?.confidence;
}

/** A CCCD built from the rules: province, century-and-sex digit, birth year, 6-digit serial. */
function cccd(province: string, birthYear: number, female: boolean, serial = '012345'): string {
  const century = Math.floor((birthYear - 1900) / 100) * 2 + (female ? 1 : 0);
  return `${province}${century}${String(birthYear % 100).padStart(2, '0')}${serial}`;
}

/** A tax code built with its check digit (weights 31, 29, 23, 19, 17, 13, 7, 5, 3, mod 11). */
function taxCode(nine: string): string | undefined {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  let sum = 0;
  for (let index = 0; index < 9; index++) sum += Number(nine[index]) * (weights[index] ?? 0);
  const check = 10 - (sum % 11);
  return check <= 9 ? `${nine}${check}` : undefined;
}

describe('vietnamDetectors', () => {
  test('are PII detectors with unique names and known types', () => {
    const names = DETECTORS.map((detector) => detector.name);
    assert.equal(new Set(names).size, names.length);
    for (const detector of DETECTORS) {
      assert.equal(detector.category, 'pii');
      for (const type of detector.types) assert.equal(FINDING_TYPES[type].category, 'pii');
    }
  });

  test('a scan cut short by its deadline leaves nothing behind that hides a decomposed name from the next scan', () => {
    const decomposed =
      'Khách hàng Nguyễn Văn An, địa chỉ: số 12 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh, ngày sinh 12 tháng 5 năm 1990'.normalize(
        'NFD',
      );
    const text = `${'Le Van '.repeat(600)}. ${decomposed}`;
    const detectors = defaultDetectors();
    const findingsIn = (subject: string): string[] =>
      detectors
        .flatMap((detector) => detector.detect(subject, { deadline: Infinity }))
        .filter((finding) => finding.start > 4200)
        .map((finding) => finding.detector);
    findingsIn('something else entirely');
    // the name pass stops at its first look at the clock, before it meets a combining mark
    detectors.find((detector) => detector.name === 'vn.person_name')?.detect(text, { deadline: 0 });
    assert.deepEqual(findingsIn(text).sort(), ['pii.date_of_birth', 'vn.address', 'vn.person_name']);
  });
});

describe('numbering plans', () => {
  test('the CCCD province list has the 63 codes of Circular 07/2016/TT-BCA', () => {
    assert.equal(CCCD_PROVINCE_CODES.size, 63);
    assert.equal(CCCD_PROVINCE_CODES.get('001'), 'Hà Nội');
    assert.equal(CCCD_PROVINCE_CODES.get('079'), 'Hồ Chí Minh');
    assert.equal(CCCD_PROVINCE_CODES.get('096'), 'Cà Mau');
    assert.equal(CCCD_PROVINCE_CODES.has('003'), false);
  });

  test('every mobile prefix and landline area code is one libphonenumber knows', () => {
    // libphonenumber assigns some prefixes by sub-range (055 only as 0559…): one valid range is enough
    for (const prefix of VN_MOBILE_PREFIXES) {
      const types = [...'0123456789'].map(
        (digit) => parsePhoneNumberFromString(`0${prefix}${digit}234567`, 'VN')?.getType() ?? 'invalid',
      );
      assert.ok(types.includes('MOBILE'), `0${prefix}: ${types.join(' ')}`);
    }
    for (const area of [...VN_LANDLINE_AREA_3, '24', '28']) {
      const subscriber = area.length === 2 ? '38251234' : '3825123';
      const number = parsePhoneNumberFromString(`0${area}${subscriber}`, 'VN');
      assert.equal(number?.isValid(), true, `0${area}`);
      assert.equal(number?.getType(), 'FIXED_LINE', `0${area}`);
    }
  });

  test('the tax-code check agrees with stdnum on valid, corrupted and random numbers', () => {
    for (const valid of ['0100233488', '0314409058-002'.replace('-', ''), '0312687878']) {
      assert.equal(taxCodeValid(valid), true, valid);
      assert.equal(validateMst(valid).isValid, true, valid);
    }
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{10}$|^[0-9]{13}$/), (digits) => {
        assert.equal(taxCodeValid(digits), validateMst(digits).isValid);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (nine) => {
        const code = taxCode(nine);
        if (code !== undefined) assert.equal(taxCodeValid(code), validateMst(code).isValid);
      }),
      { numRuns: 1000 },
    );
    // the components stdnum refuses: province 00, serial 0000000, branch 000
    let checked = 0;
    for (const nine of ['001234567', '000000000', '010000000', '310000000', '790000000', '031440905']) {
      const code = taxCode(nine);
      if (code === undefined) continue;
      for (const candidate of [code, `${code}000`, `${code}001`]) {
        assert.equal(taxCodeValid(candidate), validateMst(candidate).isValid, candidate);
        checked++;
      }
    }
    assert.ok(checked >= 9, 'enough edge cases have a check digit');
  });

  test('classify Vietnamese phone numbers in national and international forms', () => {
    assert.equal(vietnamesePhoneKind('0912345678'), 'mobile');
    assert.equal(vietnamesePhoneKind('84912345678'), 'mobile');
    assert.equal(vietnamesePhoneKind('840912345678'), 'mobile');
    assert.equal(vietnamesePhoneKind('0084912345678'), 'mobile');
    assert.equal(vietnamesePhoneKind('02438251234'), 'landline');
    assert.equal(vietnamesePhoneKind('02363821234'), 'landline');
    assert.equal(vietnamesePhoneKind('0112345678'), undefined);
    assert.equal(vietnamesePhoneKind('02012345678'), undefined); // area 201 does not exist
    assert.equal(vietnamesePhoneKind('091234567'), undefined);
  });

  test('read a CCCD: birth province, year and sex', () => {
    assert.deepEqual(cccdStructure('079203001234', YEAR), {
      province: 'Hồ Chí Minh',
      birthYear: 2003,
      sex: 'male',
    });
    assert.deepEqual(cccdStructure('001190012345', YEAR), {
      province: 'Hà Nội',
      birthYear: 1990,
      sex: 'female',
    });
    assert.equal(cccdStructure('003090012345', YEAR), undefined);
  });
});

describe('vn_cccd', () => {
  test('reports structurally valid numbers at medium confidence, labelled ones high', () => {
    const male1990 = cccd('001', 1990, false);
    const female2003 = cccd('079', 2003, true);
    assert.equal(confidenceOf(`Mã: ${male1990}`, 'vn_cccd', male1990), 0.6);
    assert.ok((confidenceOf(`Số CCCD: ${female2003}`, 'vn_cccd', female2003) ?? 0) >= 0.9);
    assert.ok((confidenceOf(`so can cuoc cong dan ${female2003}`, 'vn_cccd', female2003) ?? 0) >= 0.9);
    assert.ok((confidenceOf(`ID card: ${male1990}`, 'vn_cccd', male1990) ?? 0) >= 0.9);
    assert.ok(
      (confidenceOf(`Số định danh cá nhân: ${male1990}`.normalize('NFD'), 'vn_cccd', male1990) ?? 0) >= 0.9,
    );
  });

  test('reports people of every province and both sexes', () => {
    for (const province of CCCD_PROVINCE_CODES.keys()) {
      const number = cccd(province, 1985, province.endsWith('1'));
      assert.deepEqual(reported(`CCCD ${number}`, 'vn_cccd'), [number], province);
    }
  });

  test('refuses unknown province codes and birth years in the future', () => {
    for (const province of ['000', '003', '050', '097', '999']) {
      assert.deepEqual(reported(`CCCD ${province}090012345`, 'vn_cccd'), [], province);
    }
    const nextYear = YEAR + 1;
    assert.deepEqual(reported(`CCCD ${cccd('001', nextYear, false)}`, 'vn_cccd'), []);
    assert.deepEqual(reported(`CCCD 001499012345`, 'vn_cccd'), []); // 2199
  });

  test('discounts order and invoice numbers shaped like a CCCD', () => {
    const number = cccd('079', 2003, false);
    assert.ok((confidenceOf(`Mã đơn hàng: ${number}`, 'vn_cccd', number) ?? 1) < 0.5);
    assert.ok((confidenceOf(`so hoa don ${number}`, 'vn_cccd', number) ?? 1) < 0.5);
  });

  test('reads a labelled CCCD written in groups (3-3-3-3, 4-4-4, 3-3-6), never an unlabelled one', () => {
    const number = cccd('079', 2003, false);
    const [a, b, c, d] = [number.slice(0, 3), number.slice(3, 6), number.slice(6, 9), number.slice(9)];
    const grouped = [
      `${a} ${b} ${c} ${d}`,
      `${a}.${b}.${c}.${d}`,
      `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8)}`,
      `${a}-${b}-${c}${d}`,
    ];
    for (const written of grouped) {
      assert.deepEqual(reported(`Số CCCD: ${written}`, 'vn_cccd'), [written], written);
      assert.deepEqual(reported(`can cuoc ${written}`, 'vn_cccd'), [written], written);
      assert.deepEqual(reported(`Mã đơn: ${written}`, 'vn_cccd'), [], written);
      assert.deepEqual(reported(`ref ${written}`, 'vn_cccd'), [], written);
      assert.deepEqual(reported(`STK ${written}`, 'vn_cccd'), [], written);
    }
    // mixed separators, another grouping, part of a longer grouped number, an invalid structure
    assert.deepEqual(reported(`CCCD ${a} ${b}.${c} ${d}`, 'vn_cccd'), []);
    assert.deepEqual(
      reported(`CCCD ${number.slice(0, 2)} ${number.slice(2, 7)} ${number.slice(7)}`, 'vn_cccd'),
      [],
    );
    assert.deepEqual(reported(`CCCD ${a} ${b} ${c} ${d} 123`, 'vn_cccd'), []);
    assert.deepEqual(reported('CCCD 003 090 012 345', 'vn_cccd'), []);
    // before a parenthesis, with no-break spaces, the label on the line above
    assert.deepEqual(reported(`Số CCCD: ${a} ${b} ${c} ${d} (2021)`, 'vn_cccd'), [`${a} ${b} ${c} ${d}`]);
    assert.deepEqual(reported(`Số CCCD: ${a}\u00a0${b}\u00a0${c}\u00a0${d}`, 'vn_cccd'), [
      `${a}\u00a0${b}\u00a0${c}\u00a0${d}`,
    ]);
    assert.deepEqual(reported(`CCCD số của tôi:\n${a} ${b} ${c} ${d}`, 'vn_cccd'), [`${a} ${b} ${c} ${d}`]);
    // the same separator before or after: part of a longer number
    assert.deepEqual(reported(`CCCD 1234 ${a} ${b} ${c} ${d}`, 'vn_cccd'), []);
  });

  test('does not cut a CCCD out of a longer number or a word', () => {
    const number = cccd('079', 2003, false);
    assert.deepEqual(reported(`${number}9 x${number} ${number}-12 1.${number}`, 'vn_cccd'), []);
  });
});

describe('vn_cmnd', () => {
  test('reports 9-digit identity numbers only after a label', () => {
    assert.deepEqual(reported('Số CMND: 123456789', 'vn_cmnd'), ['123456789']);
    assert.deepEqual(reported('chứng minh nhân dân 025123456', 'vn_cmnd'), ['025123456']);
    assert.deepEqual(reported('Mã khách 123456789', 'vn_cmnd'), []);
  });
});

describe('phone (Vietnam)', () => {
  test('reports mobiles in every common spelling, with exact spans', () => {
    const spellings = [
      '0912 345 678',
      '0912345678',
      '0912.345.678',
      '0912-345-678',
      '091 234 5678',
      '+84 912 345 678',
      '+84 912-345-678',
      '+84912345678',
      '(+84) 912 345 678',
      '+84 (0) 912 345 678',
      '84912345678',
      '0084 912 345 678',
    ];
    for (const spelling of spellings) {
      assert.deepEqual(reported(`Liên hệ ${spelling}, cảm ơn`, 'phone'), [spelling], spelling);
    }
  });

  test('reports landlines of Hà Nội, TP.HCM and the provinces', () => {
    for (const landline of ['024 3825 1234', '(028) 3823 4567', '0236 3821 234', '0292.3821.234']) {
      assert.deepEqual(reported(`ĐT: ${landline}`, 'phone'), [landline], landline);
    }
  });

  test('reports every current mobile prefix', () => {
    for (const prefix of VN_MOBILE_PREFIXES) {
      assert.deepEqual(reported(`sdt 0${prefix}1234567`, 'phone'), [`0${prefix}1234567`], prefix);
    }
  });

  test('refuses retired prefixes, wrong lengths, glued digits and single-spaced digits', () => {
    const text =
      '0123 456 7890, 0112345678, 091234567, 09123456789, x0912345678, 0 9 1 2 3 4 5 6 7 8, 2024-0912345678';
    assert.deepEqual(reported(text, 'phone'), []);
  });

  test('discounts a number labelled as an order', () => {
    assert.ok((confidenceOf('Mã đơn hàng: 0912345678', 'phone', '0912345678') ?? 1) < 0.5);
    assert.ok((confidenceOf('SĐT: 0912345678', 'phone', '0912345678') ?? 0) >= 0.9);
  });

  test('reports several numbers in a row separately', () => {
    assert.deepEqual(reported('0912345678 0987654321', 'phone'), ['0912345678', '0987654321']);
  });

  test('reads numbers a CSV comma or a listing slash parts, not those inside one number', () => {
    assert.deepEqual(reported('Nguyễn Văn An,079203001234,0912345678,Hà Nội', 'phone'), ['0912345678']);
    assert.deepEqual(reported('Nguyễn Văn An,079203001234,0912345678,Hà Nội', 'vn_cccd'), ['079203001234']);
    assert.deepEqual(reported('ĐT: 0890029293/0783867049', 'phone'), ['0890029293', '0783867049']);
    // thousands separators and decimal commas keep a number whole: nothing of it is read alone
    assert.deepEqual(reported('Tổng: 912,345,678 đ; 91234567,50 điểm; tỷ lệ 0,0912345678', 'phone'), []);
  });
});

describe('vn_tax_code', () => {
  test('reports labelled tax codes, and branch codes on their own', () => {
    assert.deepEqual(reported('MST: 0100233488', 'vn_tax_code'), ['0100233488']);
    assert.deepEqual(reported('Mã số thuế 0312687878', 'vn_tax_code'), ['0312687878']);
    assert.deepEqual(reported('chi nhánh 0314409058-002', 'vn_tax_code'), ['0314409058-002']);
    const generated = taxCode('480123456');
    assert.ok(generated !== undefined);
    assert.deepEqual(reported(`tax code ${generated}`, 'vn_tax_code'), [generated]);
  });

  test('keeps unlabelled 10-digit codes below the threshold and refuses a wrong check digit', () => {
    assert.deepEqual(reported('ref 0100233488', 'vn_tax_code'), []);
    assert.ok((confidenceOf('ref 0100233488', 'vn_tax_code', '0100233488') ?? 0) > 0);
    assert.deepEqual(reported('MST: 0100233480', 'vn_tax_code'), []);
  });
});

describe('bank_account', () => {
  test('a UK sort code next to an account number is not an account', () => {
    assert.deepEqual(reported('Account number: 31926819, sort code 20-00-00.', 'bank_account'), ['31926819']);
  });

  test('reports digit runs after an account label or a bank name', () => {
    assert.deepEqual(reported('STK: 0071000123456', 'bank_account'), ['0071000123456']);
    assert.deepEqual(reported('Số tài khoản 1903 5555 0120 17 tại Techcombank', 'bank_account'), [
      '1903 5555 0120 17',
    ]);
    assert.deepEqual(reported('so tai khoan: 123456789', 'bank_account'), ['123456789']);
    assert.deepEqual(reported('Account number 000123456789', 'bank_account'), ['000123456789']);
    assert.deepEqual(reported('Vietcombank - 0071000123456 - Nguyen Van A', 'bank_account'), [
      '0071000123456',
    ]);
    assert.deepEqual(reported('MB Bank 86868686868', 'bank_account'), ['86868686868']);
  });

  test('reports nothing without a label', () => {
    assert.deepEqual(reported('Mã 0071000123456', 'bank_account'), []);
  });

  test('never reports a phone, a card or a CCCD as an account', () => {
    const id = cccd('079', 1990, false);
    const text = `STK: 0912345678. STK: 4111111111111111. Vietcombank, CCCD ${id}`;
    assert.deepEqual(reported(text, 'bank_account'), []);
    assert.deepEqual(reported(text, 'phone'), ['0912345678']);
    assert.deepEqual(reported(text, 'vn_cccd'), [id]);
  });

  test('reads a CCCD-shaped or 00-prefixed number right after an account label as an account', () => {
    const sacombank = cccd('060', 2003, false); // Sacombank numbers start with 06
    assert.deepEqual(reported(`STK: ${sacombank} - Sacombank`, 'bank_account'), [sacombank]);
    assert.deepEqual(reported(`STK: ${sacombank} - Sacombank`, 'vn_cccd'), []);
    assert.deepEqual(reported('STK 0084582908562 (Vietcombank)', 'bank_account'), ['0084582908562']);
    assert.deepEqual(reported('STK 0084582908562 (Vietcombank)', 'phone'), []);
  });

  test('skips amounts of money', () => {
    assert.deepEqual(reported('chuyển khoản 500000 VND vào tài khoản 2000000đ', 'bank_account'), []);
  });
});

describe('person_name (Vietnamese)', () => {
  test('after a label ending in a colon, after the honorific "Ông", and with the surnames Giáp and Kim', () => {
    const cases: Array<[string, string]> = [
      ['Người nhà: Hoàng Văn Tuấn (con trai)', 'Hoàng Văn Tuấn'],
      ['Ông Đỗ Quang Huy đã ký hợp đồng.', 'Đỗ Quang Huy'],
      ['Khách đặt bàn: Giáp Thị Yến', 'Giáp Thị Yến'],
      ['ông Kim Văn Sơn', 'Kim Văn Sơn'],
      // "Ông" is a surname too, when no other surname follows it
      ['Tượng đài ông Ông Ích Khiêm', 'Ông Ích Khiêm'],
    ];
    for (const [text, name] of cases) assert.deepEqual(reported(text, 'person_name'), [name], text);
    // a building named after a person still is not one
    assert.deepEqual(reported('Nhà Nguyễn Văn Tuấn', 'person_name'), []);
  });

  test('reports full names with diacritics, upper case or decomposed', () => {
    assert.deepEqual(reported('Khách hàng: Nguyễn Văn An.', 'person_name'), ['Nguyễn Văn An']);
    assert.deepEqual(reported('Người nhận TRẦN THỊ BÍCH NGỌC', 'person_name'), ['TRẦN THỊ BÍCH NGỌC']);
    assert.deepEqual(reported('gặp Phạm Minh Tuấn hôm qua', 'person_name'), ['Phạm Minh Tuấn']);
    assert.deepEqual(reported('ông Lê Hoàng Long', 'person_name'), ['Lê Hoàng Long']);
    const decomposed = 'Chị Đặng Thu Thảo gọi'.normalize('NFD');
    assert.deepEqual(reported(decomposed, 'person_name'), ['Đặng Thu Thảo'.normalize('NFD')]);
  });

  test('reports unaccented names with a middle name or a label, lower without', () => {
    assert.deepEqual(reported('Ho ten: Nguyen Van An', 'person_name'), ['Nguyen Van An']);
    assert.deepEqual(reported('contact Tran Thi Mai', 'person_name'), ['Tran Thi Mai']);
    const bare = confidenceOf('see Vo Quang Ky', 'person_name', 'Vo Quang Ky') ?? 0;
    const labelled = confidenceOf('Name: Vo Quang Ky', 'person_name', 'Vo Quang Ky') ?? 0;
    assert.ok(bare < labelled);
  });

  test('reports names written one after another separately, keeping four-syllable names whole', () => {
    assert.deepEqual(reported('Danh sách: Nguyễn Văn An Trần Thị Bình Lê Văn Cường', 'person_name'), [
      'Nguyễn Văn An',
      'Trần Thị Bình',
      'Lê Văn Cường',
    ]);
    assert.deepEqual(reported('Chị Nguyễn Thị Thu Hà gọi', 'person_name'), ['Nguyễn Thị Thu Hà']);
  });

  test('skips cities, streets named after people and title-case headings', () => {
    const text =
      'Thành phố Hồ Chí Minh và Hà Nội, đường Lê Lợi, phố Trần Hưng Đạo, trường Nguyễn Du, Thái Lan, Làm Việc Nhóm';
    assert.deepEqual(reported(text, 'person_name'), []);
    assert.deepEqual(reported('Visit Ho Chi Minh City and Le Loi Street', 'person_name'), []);
  });

  test('reads a chain of capitalized words twelve words at a time from its start', () => {
    const words = 'Alpha Beta Gamma Delta Epsilon Zeta Theta Iota Kappa Lambda Omicron Sigma Tau'.split(' ');
    const after = (count: number): Found[] =>
      scan(`${words.slice(0, count).join(' ')} Nguyễn Văn An`).filter(
        (found) => found.type === 'person_name',
      );
    // the first run ends inside the name, at the second run ("Văn An"), or right before it
    assert.deepEqual(after(11), [{ type: 'person_name', value: 'Văn An', confidence: 0.35 }]);
    assert.deepEqual(after(12), [{ type: 'person_name', value: 'Nguyễn Văn An', confidence: 0.8 }]);
    assert.deepEqual(after(13), []);
  });

  test('reads names after a label, after glued digits and with a no-break space', () => {
    const text = 'ghi chú: Trần Thị Bình, 5Nguyễn Văn An, Lê\u00a0Văn Tám';
    assert.deepEqual(
      scan(text).filter((found) => found.type === 'person_name'),
      [
        { type: 'person_name', value: 'Trần Thị Bình', confidence: 0.9 },
        { type: 'person_name', value: 'Văn An', confidence: 0.35 },
        { type: 'person_name', value: 'Lê\u00a0Văn Tám', confidence: 0.8 },
      ],
    );
  });
});

describe('address', () => {
  test('reports a whole Vietnamese address', () => {
    const address = 'Số 12 đường Lê Lợi, phường Bến Nghé, quận 1, TP. Hồ Chí Minh';
    assert.deepEqual(reported(`Địa chỉ: ${address}.`, 'address'), [address]);
  });

  test('reads abbreviations, missing keywords and unaccented text', () => {
    const cases = [
      '12 Nguyễn Huệ, P. Bến Nghé, Q.1, TP.HCM',
      'so 12 duong Le Loi, phuong Ben Nghe, quan 1, tp Ho Chi Minh',
      'Thôn 3, xã Ea Kao, TP. Buôn Ma Thuột, tỉnh Đắk Lắk',
      'Số 5, ngõ 10, phố Huế, quận Hai Bà Trưng, Hà Nội',
      'hẻm 12/3 đường 3/2, phường 12, quận 10',
      '123 Le Loi Street, Ben Nghe Ward, District 1, Ho Chi Minh City',
    ];
    for (const address of cases) {
      assert.deepEqual(reported(`Giao hàng tới ${address}. Cảm ơn!`, 'address'), [address]);
    }
  });

  test('a street named with a keyword syllable keeps its house number ("Lý Thường Kiệt", "Phó Đức Chính")', () => {
    const cases = [
      '12 Lý Thường Kiệt, phường Hàng Bài, quận Hoàn Kiếm',
      '12 Ly Thuong Kiet, phuong Hang Bai, quan Hoan Kiem, Ha Noi',
      '7 Pho Duc Chinh, phuong Nguyen Thai Binh, quan 1',
    ];
    for (const address of cases) {
      assert.deepEqual(reported(`Địa chỉ: ${address}. Cảm ơn!`, 'address'), [address]);
    }
  });

  test('a street keyword before a name ending in a keyword syllable, and the street after an alley number', () => {
    const cases = [
      'số 12 đường Lý Thường Kiệt, phường Trần Hưng Đạo, quận Hoàn Kiếm, Hà Nội',
      'ngõ 40 Tạ Quang Bửu, Bách Khoa, Hai Bà Trưng, Hà Nội',
      'số 5 ngõ 40 Tạ Quang Bửu, phường Bách Khoa',
      'hẻm 51 Trần Hưng Đạo, Quận 1, TP.HCM',
    ];
    for (const address of cases) {
      assert.deepEqual(reported(`Khách hàng ở ${address}. Cảm ơn!`, 'address'), [address], address);
    }
    // a keyword with a name after it still opens the next part
    assert.deepEqual(reported('Địa chỉ: 12 Lê Lợi Phường Bến Nghé Quận 1', 'address'), [
      '12 Lê Lợi Phường Bến Nghé Quận 1',
    ]);
  });

  test('after an address label, reads an address without keywords up to its city', () => {
    const cases: [string, string][] = [
      ['Địa chỉ: ', '101 Lê Lợi, Hà Nội'],
      ['Địa chỉ giao hàng: ', '25 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội, Việt Nam'],
      ['Thường trú: ', 'số 45 Nguyễn Trãi, Thanh Xuân, Hà Nội'],
      ['{"dia_chi": "', '45 Tran Hung Dao, Hoan Kiem, Ha Noi'],
      ['Ship to: ', '8 Lý Thường Kiệt, Đà Nẵng'],
    ];
    for (const [label, address] of cases) {
      assert.deepEqual(reported(`${label}${address}. SĐT 0912345678`, 'address'), [address], address);
    }
    // keywords found the address: the names before its city join it
    assert.deepEqual(reported('ở số 45 Nguyễn Trãi, Thanh Xuân, Hà Nội', 'address'), [
      'số 45 Nguyễn Trãi, Thanh Xuân, Hà Nội',
    ]);
    // names without keywords before an address the keywords found: the whole, more sure, wins overlaps
    const joined = '12 Le Duan, Ben Nghe, District 1, HCMC';
    const whole = confidenceOf(`Address: ${joined}`, 'address', joined) ?? 0;
    const tail = confidenceOf(`Address: ${joined}`, 'address', 'District 1, HCMC') ?? 0;
    assert.ok(whole > tail, `${whole} > ${tail}`);
  });

  test('without a label, or without a city at the end, a number before capitalized words is no address', () => {
    for (const text of [
      'Top 10 Quán Ngon, Hà Nội',
      'Phòng 3 Khoa Nội, Bệnh viện Bạch Mai',
      'Địa chỉ: 101 Lê Lợi',
      'Địa chỉ: 101 Lê Lợi, Bến Nghé, Phú Mỹ, Tân Phong, Nhà Bè',
      'Nơi sinh: 1990 Hà Nội',
    ]) {
      assert.deepEqual(reported(text, 'address'), [], text);
    }
  });

  test('reports decomposed (NFD) addresses at the right offsets', () => {
    const address = 'phường Bến Nghé, quận 1, TP. Hồ Chí Minh'.normalize('NFD');
    assert.deepEqual(reported(`ở ${address}`, 'address'), [address]);
  });

  test('skips address words in prose and lone administrative units', () => {
    const text = 'Con đường dài, xã hội phát triển; thành phố đẹp. Quận 1 rất đông. Sống ở Hà Nội.';
    assert.deepEqual(reported(text, 'address'), []);
  });

  test('a keyword of two words glued to the word before hides the keyword it holds', () => {
    // "Xkhu phố" is no part, and "phố" inside it opens none
    assert.deepEqual(reported('Xkhu phố Lê Lợi, phường Bến Nghé, quận 1', 'address'), []);
    assert.deepEqual(scan('Xkhu phố Lê Lợi, phường Bến Nghé, quận 1'), [
      { type: 'address', value: 'phường Bến Nghé, quận 1', confidence: 0.45 },
    ]);
    assert.deepEqual(reported('Khu phố Lê Lợi, phường Bến Nghé, quận 1', 'address'), [
      'Khu phố Lê Lợi, phường Bến Nghé, quận 1',
    ]);
  });

  test('the keyword pass finds where the keyword patterns match and can open or hide a part', () => {
    // the patterns the pass replaced: longest keyword first, case-insensitive, no letter after
    const letters = 'A-Za-zÀ-ÃÈ-ÊÌÍÒ-ÕÙÚÝĂĐĨŨƠƯà-ãè-êìíò-õùúýăđĩũơư\u1ea0-\u1ef9';
    const literal = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const alternation = (words: string[]): string =>
      [...words]
        .sort((a, b) => b.length - a.length)
        .map(literal)
        .join('|');
    const entries = [...ADDRESS_KEYWORDS];
    const wordPattern = new RegExp(
      `(?:${alternation(entries.filter(([, keyword]) => keyword.abbreviation !== true).map(([word]) => word))})(?![${letters}])`,
      'iy',
    );
    const abbreviationPattern = new RegExp(
      `(?:${alternation(
        entries
          .filter(([, keyword]) => keyword.abbreviation === true)
          .flatMap(([word, keyword]) => [
            word.toUpperCase(),
            (word[0] ?? '').toUpperCase() + word.slice(1),
            ...(keyword.level === CITY ? [word] : []),
          ]),
      )})(?=[.0-9 ])`,
      'y',
    );
    const wordStart = (text: string, index: number): boolean =>
      index === 0 || !/[\p{L}\p{M}\p{N}_]/u.test(text[index - 1] ?? '');
    const unit = fc.constantFrom(
      ...[...ADDRESS_KEYWORDS.keys()].flatMap((word) => [word, word.toUpperCase(), word.normalize('NFD')]),
      ...['P', 'Q', 'TP', 'Tp', 'tp', 'St', 'KĐT', 'Kđt', 'Dist', 'no', 'No'],
      ...[' ', ' ', '  ', '.', ':', ',', '5', '_', 'x', 'X', 'ñ', 'Ω', '\u0301', 'Lê Lợi', '12', '-'],
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (text) => {
        const expectedWords: Array<[number, number]> = [];
        const expectedAbbreviations: Array<[number, number]> = [];
        for (let index = 0; index < text.length; index++) {
          wordPattern.lastIndex = index;
          const word = wordPattern.exec(text)?.[0];
          // elsewhere than a word start only a match spanning a space matters (it hides a word)
          if (word !== undefined && (wordStart(text, index) || word.includes(' ')))
            expectedWords.push([index, index + word.length]);
          abbreviationPattern.lastIndex = index;
          const abbreviation = abbreviationPattern.exec(text)?.[0];
          if (abbreviation !== undefined && wordStart(text, index))
            expectedAbbreviations.push([index, index + abbreviation.length]);
        }
        const found = addressKeywords(text, budget());
        assert.ok(found !== undefined);
        const spans = (starts: Int32Array, ends: Int32Array, count: number): Array<[number, number]> =>
          Array.from({ length: count }, (_, index) => [starts[index] ?? -1, ends[index] ?? -1]);
        assert.deepEqual(spans(found.keywordStart, found.keywordEnd, found.keywords), expectedWords);
        assert.deepEqual(
          spans(found.abbreviationStart, found.abbreviationEnd, found.abbreviations),
          expectedAbbreviations,
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe('quick test before the label lookup', () => {
  test('says yes wherever the context lookup finds an account or address label', () => {
    const accountMask = kindMask(['bank', 'bankName']);
    const addressMask = kindMask(['address']);
    const labels = [
      ...CONTEXT_WORDS.bank,
      ...CONTEXT_WORDS.bankName,
      ...CONTEXT_WORDS.address,
      'Số tài khoản',
      'A/C',
      'khoa\u0309n',
      'ĐỊA CHỈ',
    ];
    const filler = fc.string({
      unit: fc.constantFrom(' ', ' ', 'x', 'ab', '.', ':', '_', '-', '1', '\u0301', 'ñ', 'stk'),
      maxLength: 70,
      // long enough that the window starts inside the label, or before it
      size: 'max',
    });
    fc.assert(
      fc.property(
        fc.constantFrom('', ' ', 'x', 'xyzxyzxyzxyz'),
        fc.constantFrom(...labels),
        filler,
        (before, label, gap) => {
          const text = `${before}${label}${gap} 0071000123456`;
          // every index, so that windows start at every unit of the label, cutting it anywhere
          for (let index = 0; index <= text.length; index++) {
            const hits = contextBefore(text, index);
            if (hits.has('bank') || hits.has('bankName'))
              assert.ok(labelMayEndNear(text, index, Infinity, accountMask), `${text} @${index}`);
            if (hits.has('address'))
              assert.ok(labelMayEndNear(text, index, Infinity, addressMask), `${text} @${index}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
    // a window that starts inside a word sees its end: "xlienvietpostbank" read as "lienvietpostbank"
    const cut = `x${'lienvietpostbank'}${' '.repeat(48)}0071000123456`;
    assert.equal(contextBefore(cut, cut.length - 13).has('bankName'), true);
    assert.equal(labelMayEndNear(cut, cut.length - 13, Infinity, accountMask), true);
    assert.equal(labelMayEndNear('Order id: 0071000123456', 10, Infinity, accountMask), false);
    // a label before the window is out of the lookup's reach, and of the quick test's
    const far = `STK: ${'x '.repeat(40)}0071000123456`;
    assert.equal(contextBefore(far, far.length - 13).has('bank'), false);
    assert.equal(labelMayEndNear(far, far.length - 13, Infinity, accountMask), false);
  });
});

describe('hostile input', () => {
  const adversarial: Array<[string, string]> = [
    ['1 MB of digits', '0'.repeat(1 << 20)],
    ['200 KB of a.a.a.', 'a.'.repeat(100_000)],
    ['digits with long runs of spaces', `0912${' '.repeat(100_000)}345678 `.repeat(5)],
    ['single-spaced digits', '0 9 '.repeat(150_000)],
    ['address keywords', 'phường quận Q.1 P. TP '.repeat(30_000)],
    ['surnames', 'Nguyễn '.repeat(150_000)],
    ['capitalized syllables', 'Nguyen Van An Binh '.repeat(50_000)],
    ['house numbers', '12/3/4 '.repeat(100_000)],
    ['labels', 'STK CCCD MST '.repeat(50_000)],
    ['combining marks', `Nguye${'\u0302\u0303'.repeat(50_000)}n Văn An`],
    ['decomposed text', 'Số 12 đường Lê Lợi, phường Bến Nghé, '.normalize('NFD').repeat(10_000)],
  ];
  for (const [name, text] of adversarial) {
    test(`${name}: every detector returns`, () => {
      for (const detector of DETECTORS)
        assert.ok(Array.isArray(detector.detect(text, budget())), detector.name);
    });
  }

  test('no input makes a detector throw or report a span outside the text', () => {
    const unit = fc.constantFrom(
      '0',
      '9',
      '8',
      '4',
      ' ',
      '-',
      '.',
      '/',
      '+',
      '(',
      ')',
      ',',
      'Nguyễn ',
      'Văn ',
      'An',
      'phường ',
      'Q.',
      'TP',
      'số ',
      'STK ',
      'CCCD ',
      '\u0301',
      'Đ',
      'ư',
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
        (text) => {
          scan(text);
        },
      ),
      { numRuns: 400 },
    );
  });
});
