/**
 * The synthetic PII set of the inspection benchmark: English and Vietnamese sentences, records and
 * tool results that embed known values at known spans, plus negatives (order numbers, prices,
 * timestamps, versions, product codes) that must not be reported. Every personal value in a text is
 * labelled, so a finding that overlaps no label of its type is a real false positive.
 *
 * Deterministic: a seeded Faker (`en` and `vi` locales) drives every choice, and nothing reads the
 * clock, so the same seed and size always give the same set. The set is written to a temp directory
 * by the benchmark (never committed); `test/bench/inspect-synthetic.test.ts` checks its identifiers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Faker, base, en, vi } from '@faker-js/faker';
import type { FindingType } from '../../src/inspect/types.js';
import {
  generateBankAccount,
  generateCard,
  generateCccd,
  generateIban,
  generateInternationalPhone,
  generateIp,
  generateMst,
  generatePassport,
  generateSsn,
  generateVnLandline,
  generateVnMobile,
} from './identifiers.js';
import type { GeneratedValue } from './identifiers.js';

/** The PII types the set labels, in report order. */
export const PII_TYPES = [
  'email',
  'phone',
  'payment_card',
  'iban',
  'vn_cccd',
  'vn_tax_code',
  'ip_address',
  'us_ssn',
  'person_name',
  'address',
  'bank_account',
  'date_of_birth',
  'passport',
] as const satisfies readonly FindingType[];

export type PiiType = (typeof PII_TYPES)[number];

/** Types with an accuracy target, and the target. */
export const TARGET_TYPES: readonly PiiType[] = [
  'email',
  'phone',
  'payment_card',
  'iban',
  'vn_cccd',
  'vn_tax_code',
];
export const TARGET_F1 = 0.97;

/** Default seed of the set (the benchmark date). */
export const DEFAULT_SEED = 20261121;

/** One labelled value: `[start, end)` in UTF-16 units of the example's text. */
export interface GoldSpan {
  type: PiiType;
  start: number;
  end: number;
  /** How the value is written (e.g. `vn_mobile_dots`, `amex_spaces`), for per-variant recall. */
  variant: string;
}

export interface SyntheticExample {
  id: string;
  language: 'en' | 'vi';
  /** The type this example was generated for (others may appear too), or `negative` (no PII at all). */
  focus: PiiType | 'negative';
  text: string;
  spans: GoldSpan[];
}

/** Appends literal text and labelled values, tracking offsets. */
class ExampleBuilder {
  text = '';
  readonly spans: GoldSpan[] = [];

  /** Literal text, never PII. */
  t(literal: string): this {
    this.text += literal;
    return this;
  }

  /** A labelled value. */
  v(type: PiiType, generated: GeneratedValue): this {
    const start = this.text.length;
    this.text += generated.value;
    this.spans.push({ type, start, end: this.text.length, variant: generated.variant });
    return this;
  }
}

const VN_PLACES: readonly {
  city: string;
  short: string;
  districts: readonly (readonly [string, readonly string[]])[];
}[] = [
  {
    city: 'TP. Hồ Chí Minh',
    short: 'TP.HCM',
    districts: [
      ['Quận 1', ['Phường Bến Nghé', 'Phường Đa Kao', 'Phường Bến Thành']],
      ['Quận 3', ['Phường Võ Thị Sáu', 'Phường 7']],
      ['Quận Bình Thạnh', ['Phường 25', 'Phường 15']],
      ['TP. Thủ Đức', ['Phường Thảo Điền', 'Phường An Phú']],
    ],
  },
  {
    city: 'Hà Nội',
    short: 'HN',
    districts: [
      ['Quận Ba Đình', ['Phường Kim Mã', 'Phường Điện Biên']],
      ['Quận Đống Đa', ['Phường Láng Hạ', 'Phường Ô Chợ Dừa']],
      ['Quận Cầu Giấy', ['Phường Dịch Vọng', 'Phường Nghĩa Đô']],
      ['Quận Hoàn Kiếm', ['Phường Hàng Bài', 'Phường Tràng Tiền']],
    ],
  },
  {
    city: 'Đà Nẵng',
    short: 'ĐN',
    districts: [
      ['Quận Hải Châu', ['Phường Hải Châu 1', 'Phường Thạch Thang']],
      ['Quận Sơn Trà', ['Phường An Hải Bắc']],
    ],
  },
  { city: 'Cần Thơ', short: 'CT', districts: [['Quận Ninh Kiều', ['Phường Tân An', 'Phường Xuân Khánh']]] },
  {
    city: 'Hải Phòng',
    short: 'HP',
    districts: [
      ['Quận Lê Chân', ['Phường An Biên']],
      ['Quận Ngô Quyền', ['Phường Máy Tơ']],
    ],
  },
];

const VN_STREETS = [
  'Lê Lợi',
  'Nguyễn Huệ',
  'Trần Hưng Đạo',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Điện Biên Phủ',
  'Nguyễn Trãi',
  'Cách Mạng Tháng Tám',
  'Võ Văn Tần',
  'Pasteur',
  'Lê Duẩn',
  'Phan Đình Phùng',
  'Hoàng Diệu',
  'Nguyễn Văn Cừ',
  'Trường Chinh',
  'Láng Hạ',
  'Kim Mã',
  'Bạch Đằng',
  'Hùng Vương',
  'Quang Trung',
  'Nguyễn Thị Minh Khai',
  'Xuân Thủy',
];

const VN_RURAL: readonly (readonly [string, string])[] = [
  ['huyện Đồng Phú', 'tỉnh Bình Phước'],
  ['huyện Củ Chi', 'TP. Hồ Chí Minh'],
  ['huyện Gia Lâm', 'Hà Nội'],
  ['huyện Diên Khánh', 'tỉnh Khánh Hòa'],
  ['huyện Núi Thành', 'tỉnh Quảng Nam'],
  ['huyện Châu Thành', 'tỉnh Tiền Giang'],
];

const COMPANIES_VI = [
  'Công ty TNHH Thương mại Dịch vụ Minh Phát',
  'Công ty Cổ phần Công nghệ Sao Việt',
  'Công ty TNHH Xây dựng Hưng Thịnh',
  'Công ty Cổ phần Thực phẩm Xanh',
  'Công ty TNHH Vận tải Bắc Nam',
];
const COMPANIES_EN = [
  'Acme Logistics Ltd',
  'Northwind Traders',
  'Blue Harbor Software',
  'Contoso Retail',
  'Globex Supplies',
];
const COMPANY_DOMAINS = [
  'fpt.com.vn',
  'vnpt.vn',
  'saoviet.vn',
  'acme-logistics.com',
  'northwind.io',
  'contoso.com',
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Removes Vietnamese diacritics (as names are written on bank transfers and in e-mail addresses). */
function plainAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** Every random choice of the set, from two seeded Fakers (English and Vietnamese data); the speed corpus uses it too. */
export class Generators {
  readonly en: Faker;
  readonly vi: Faker;

  constructor(seed: number) {
    this.en = new Faker({ locale: [en, base], seed });
    this.vi = new Faker({ locale: [vi, en, base], seed: seed + 1 });
  }

  /** The Faker used for choices (one stream, so adding a template changes only what follows it). */
  get rng(): Faker {
    return this.en;
  }

  pick<T>(items: readonly T[]): T {
    return this.rng.helpers.arrayElement(items);
  }

  int(min: number, max: number): number {
    return this.rng.number.int({ min, max });
  }

  chance(probability: number): boolean {
    return this.rng.datatype.boolean(probability);
  }

  digits(length: number): string {
    let out = String(this.int(1, 9));
    while (out.length < length) out += String(this.int(0, 9));
    return out;
  }

  // ---- personal values ----

  name(language: 'en' | 'vi'): GeneratedValue {
    if (language === 'vi')
      return { value: `${this.vi.person.lastName()} ${this.vi.person.firstName()}`, variant: 'vi_name' };
    const first = this.en.person.firstName();
    const last = this.en.person.lastName();
    if (this.chance(0.1))
      return { value: `${first} ${this.en.person.middleName()} ${last}`, variant: 'en_name_middle' };
    return { value: `${first} ${last}`, variant: 'en_name' };
  }

  /** A Vietnamese name in capitals without diacritics, as printed on cards and bank transfers. */
  upperAsciiName(): GeneratedValue {
    return {
      value: plainAscii(`${this.vi.person.lastName()} ${this.vi.person.firstName()}`).toUpperCase(),
      variant: 'vi_name_upper_ascii',
    };
  }

  email(name?: string): GeneratedValue {
    if (name !== undefined && this.chance(0.4)) {
      const parts = plainAscii(name).toLowerCase().split(/\s+/);
      const user = this.chance(0.5) ? parts.join('.') : `${parts.at(-1)}${parts[0]}${this.int(1, 99)}`;
      return { value: `${user}@${this.pick(COMPANY_DOMAINS)}`, variant: 'email_company' };
    }
    return { value: plainAscii(this.en.internet.email()), variant: 'email_free' };
  }

  phone(language: 'en' | 'vi'): GeneratedValue {
    const roll = this.rng.number.float({ min: 0, max: 1 });
    if (language === 'vi') {
      if (roll < 0.65) return generateVnMobile(this.rng);
      if (roll < 0.9) return generateVnLandline(this.rng);
      return generateInternationalPhone(this.rng);
    }
    return roll < 0.8 ? generateInternationalPhone(this.rng) : generateVnMobile(this.rng);
  }

  address(language: 'en' | 'vi'): GeneratedValue {
    if (language === 'en') {
      const street = this.en.location.streetAddress(this.chance(0.3));
      return {
        value: `${street}, ${this.en.location.city()}, ${this.en.location.state({ abbreviated: true })} ${this.en.location.zipCode('#####')}`,
        variant: 'en_us',
      };
    }
    const shape = this.pick(['vi_full', 'vi_alley', 'vi_abbrev', 'vi_rural'] as const);
    if (shape === 'vi_rural') {
      const [district, province] = this.pick(VN_RURAL);
      const hamlet = this.pick(['Đông Hòa', 'Phú Mỹ', 'Tân Lập', 'An Phú', 'Trung Hậu']);
      const commune = this.pick(['Tân Phú', 'Hòa Bình', 'Phước Thạnh', 'Nghĩa Trung', 'Bình Mỹ']);
      return { value: `Thôn ${hamlet}, xã ${commune}, ${district}, ${province}`, variant: shape };
    }
    const place = this.pick(VN_PLACES);
    const [district, wards] = this.pick(place.districts);
    const ward = this.pick(wards);
    const street = this.pick(VN_STREETS);
    const number = this.int(1, 350);
    if (shape === 'vi_full')
      return { value: `Số ${number} đường ${street}, ${ward}, ${district}, ${place.city}`, variant: shape };
    if (shape === 'vi_alley')
      return {
        value: `${number}/${this.int(1, 60)} ${street}, ${ward}, ${district}, ${place.city}`,
        variant: shape,
      };
    const shortWard = ward.replace('Phường ', 'P. ');
    const shortDistrict = district.replace('Quận ', 'Q. ');
    return {
      value: `${number} ${street}, ${shortWard}, ${shortDistrict}, ${place.short === 'TP.HCM' ? 'TP.HCM' : place.city}`,
      variant: shape,
    };
  }

  /** A birth date between 1950 and 2008, written in a language's usual ways. */
  birthDate(language: 'en' | 'vi'): { year: number; female: boolean; value: GeneratedValue } {
    const year = this.int(1950, 2008);
    const month = this.int(1, 12);
    const day = this.int(1, 28);
    const female = this.chance(0.5);
    if (language === 'vi') {
      const shape = this.pick(['vi_slash', 'vi_dash', 'vi_words'] as const);
      const value =
        shape === 'vi_slash'
          ? `${pad2(day)}/${pad2(month)}/${year}`
          : shape === 'vi_dash'
            ? `${pad2(day)}-${pad2(month)}-${year}`
            : `${day} tháng ${month} năm ${year}`;
      return { year, female, value: { value, variant: shape } };
    }
    const shape = this.pick(['iso', 'us_slash', 'en_long', 'en_day_month'] as const);
    const value =
      shape === 'iso'
        ? `${year}-${pad2(month)}-${pad2(day)}`
        : shape === 'us_slash'
          ? `${pad2(month)}/${pad2(day)}/${year}`
          : shape === 'en_long'
            ? `${MONTHS[month - 1]} ${day}, ${year}`
            : `${day} ${MONTHS[month - 1]} ${year}`;
    return { year, female, value: { value, variant: shape } };
  }

  cccd(year?: number, female?: boolean): GeneratedValue {
    return generateCccd(this.rng, year ?? this.int(1950, 2008), female ?? this.chance(0.5));
  }

  // ---- negatives (never PII) ----

  orderNumber(): string {
    return this.pick([
      `ORD-${this.int(2022, 2026)}-${String(this.int(1, 999_999)).padStart(6, '0')}`,
      `#${this.digits(8)}`,
      this.digits(10),
      `DH${this.digits(8)}`,
      `SO-${this.digits(6)}`,
    ]);
  }

  priceEn(): string {
    const dollars = this.int(1, 4999);
    return `$${dollars.toLocaleString('en-US')}.${pad2(this.int(0, 99))}`;
  }

  priceVi(): string {
    const thousands = this.int(10, 49_999);
    const amount = (thousands * 1000).toLocaleString('de-DE'); // 1.250.000
    return this.pick([`${amount} ₫`, `${amount}đ`, `${amount} VND`, `${amount} đồng`]);
  }

  timestamp(): string {
    const year = this.int(2023, 2026);
    const month = this.int(1, 12);
    const day = this.int(1, 28);
    const time = `${pad2(this.int(0, 23))}:${pad2(this.int(0, 59))}:${pad2(this.int(0, 59))}`;
    const epoch = Date.UTC(year, month - 1, day, this.int(0, 23), this.int(0, 59), this.int(0, 59));
    return this.pick([
      `${year}-${pad2(month)}-${pad2(day)}T${time}Z`,
      `${year}-${pad2(month)}-${pad2(day)}T${time}.${String(this.int(0, 999)).padStart(3, '0')}+07:00`,
      `${year}-${pad2(month)}-${pad2(day)} ${time}`,
      `${pad2(day)}/${pad2(month)}/${year} ${time.slice(0, 5)}`,
      String(Math.floor(epoch / 1000)),
      String(epoch),
    ]);
  }

  epochMillis(): number {
    return Date.UTC(
      this.int(2023, 2026),
      this.int(0, 11),
      this.int(1, 28),
      this.int(0, 23),
      this.int(0, 59),
      this.int(0, 59),
      this.int(0, 999),
    );
  }

  version(): string {
    return this.pick([
      `v${this.int(0, 12)}.${this.int(0, 30)}.${this.int(0, 40)}`,
      `${this.int(1, 9)}.${this.int(0, 20)}.${this.int(0, 9)}-beta.${this.int(1, 9)}`,
      `build 10.0.${this.int(17000, 26000)}.${this.int(1000, 6000)}`,
      `${this.int(1, 5)}.${this.int(0, 99)}`,
      `Node ${this.int(18, 24)}.${this.int(0, 20)}.${this.int(0, 9)}`,
    ]);
  }

  productCode(): string {
    return this.pick([
      `${this.pick(['TSH', 'SHO', 'BAG', 'LAP'])}-${this.int(1000, 9999)}-${this.pick(['BLK', 'WHT', 'RED'])}-${this.pick(['S', 'M', 'L', 'XL'])}`,
      `SP-${String(this.int(1, 99_999)).padStart(6, '0')}`,
      `P/N ${this.int(1000, 9999)}-${this.int(1000, 9999)}-${pad2(this.int(0, 99))}`,
      `SKU ${this.digits(6)}`,
      `${this.pick(['A', 'B', 'X'])}${this.int(100, 999)}-${this.pick(['PRO', 'MAX', 'LITE'])}`,
    ]);
  }
}

type Template = { language: 'en' | 'vi'; build: (b: ExampleBuilder, g: Generators) => void };

const english = (build: Template['build']): Template => ({ language: 'en', build });
const vietnamese = (build: Template['build']): Template => ({ language: 'vi', build });

/** Templates per focus type. Every personal value in them is labelled; the rest is negatives or prose. */
const TEMPLATES: Record<PiiType | 'negative', readonly Template[]> = {
  email: [
    english((b, g) => {
      const name = g.name('en');
      b.t('Please contact ')
        .v('person_name', name)
        .t(' at ')
        .v('email', g.email(name.value))
        .t(' about order ')
        .t(g.orderNumber())
        .t('.');
    }),
    english((b, g) =>
      b
        .t('From: support <')
        .v('email', g.email())
        .t('>\nSubject: Order ')
        .t(g.orderNumber())
        .t(' shipped\nTotal: ')
        .t(g.priceEn()),
    ),
    english((b, g) =>
      b
        .t('{"customer_id": "CUS-')
        .t(g.digits(5))
        .t('", "email": "')
        .v('email', g.email())
        .t('", "status": "active", "updated_at": "')
        .t(g.timestamp())
        .t('"}'),
    ),
    english((b, g) => b.t('reply-to: ').v('email', g.email()).t('; cc: ').v('email', g.email())),
    vietnamese((b, g) =>
      b
        .t('Vui lòng gửi hồ sơ về địa chỉ email ')
        .v('email', g.email())
        .t(' trước ngày ')
        .t(`${g.int(1, 28)}/${g.int(1, 12)}`)
        .t('.'),
    ),
    vietnamese((b, g) => {
      const name = g.name('vi');
      b.t('Khách hàng ')
        .v('person_name', name)
        .t(' (email: ')
        .v('email', g.email(name.value))
        .t(') đã thanh toán ')
        .t(g.priceVi())
        .t('.');
    }),
    vietnamese((b, g) => b.t('Email liên hệ: ').v('email', g.email())),
  ],
  phone: [
    vietnamese((b, g) => {
      const name = g.name('vi');
      b.t('Liên hệ anh ')
        .v('person_name', name)
        .t(' qua số ')
        .v('phone', g.phone('vi'))
        .t(' để được hỗ trợ.');
    }),
    vietnamese((b, g) => b.t('SĐT: ').v('phone', g.phone('vi')).t(' | Mã đơn: ').t(g.orderNumber())),
    vietnamese((b, g) =>
      b.t('Hotline: ').v('phone', generateVnLandline(g.rng)).t(' (8:00 - 17:30, thứ Hai đến thứ Sáu)'),
    ),
    vietnamese((b, g) =>
      b
        .t('Điện thoại di động: ')
        .v('phone', generateVnMobile(g.rng))
        .t(', điện thoại bàn: ')
        .v('phone', generateVnLandline(g.rng)),
    ),
    english((b, g) => b.t('Call me at ').v('phone', g.phone('en')).t(' after 5pm.')),
    english((b, g) =>
      b
        .t('{"name": "')
        .v('person_name', g.name('en'))
        .t('", "phone": "')
        .v('phone', g.phone('en'))
        .t('", "plan": "')
        .t(g.productCode())
        .t('"}'),
    ),
    english((b, g) =>
      b.t('| ').t(g.orderNumber()).t(' | ').v('phone', g.phone('en')).t(' | ').t(g.priceEn()).t(' |'),
    ),
  ],
  payment_card: [
    english((b, g) =>
      b
        .t('Card number: ')
        .v('payment_card', generateCard(g.rng))
        .t(', exp ')
        .t(`${pad2(g.int(1, 12))}/${g.int(27, 31)}`),
    ),
    english((b, g) =>
      b
        .t('Charged ')
        .v('payment_card', generateCard(g.rng))
        .t(' for ')
        .t(g.priceEn())
        .t(' on ')
        .t(g.timestamp())
        .t('.'),
    ),
    english((b, g) =>
      b
        .t('{"card_number": "')
        .v('payment_card', generateCard(g.rng))
        .t('", "amount": ')
        .t(String(g.int(1, 999)))
        .t('.99, "currency": "USD"}'),
    ),
    vietnamese((b, g) =>
      b
        .t('Thanh toán bằng thẻ ')
        .v('payment_card', generateCard(g.rng))
        .t(' thành công, số tiền ')
        .t(g.priceVi())
        .t('.'),
    ),
    vietnamese((b, g) => {
      const name = g.upperAsciiName();
      b.t('Số thẻ: ').v('payment_card', generateCard(g.rng)).t('\nChủ thẻ: ').v('person_name', name);
    }),
  ],
  iban: [
    english((b, g) =>
      b.t('Please wire the amount to IBAN ').v('iban', generateIban(g.rng)).t(' by ').t(g.timestamp()).t('.'),
    ),
    english((b, g) =>
      b.t('Beneficiary account: ').v('iban', generateIban(g.rng)).t('\nReference: ').t(g.orderNumber()),
    ),
    english((b, g) =>
      b
        .t('{"iban": "')
        .v('iban', generateIban(g.rng))
        .t('", "currency": "EUR", "amount": ')
        .t(String(g.int(10, 9999)))
        .t('}'),
    ),
    vietnamese((b, g) => {
      const name = g.name('en');
      b.t('Chuyển khoản quốc tế tới IBAN ')
        .v('iban', generateIban(g.rng))
        .t(', người nhận ')
        .v('person_name', name)
        .t('.');
    }),
    vietnamese((b, g) => b.t('Tài khoản nhận (IBAN): ').v('iban', generateIban(g.rng))),
  ],
  vn_cccd: [
    vietnamese((b, g) => b.t('Số CCCD: ').v('vn_cccd', g.cccd())),
    vietnamese((b, g) =>
      b
        .t('Căn cước công dân số ')
        .v('vn_cccd', g.cccd())
        .t(' cấp ngày ')
        .t(`${pad2(g.int(1, 28))}/${pad2(g.int(1, 12))}/${g.int(2021, 2025)}`)
        .t(' tại Cục Cảnh sát QLHC về TTXH.'),
    ),
    vietnamese((b, g) => {
      const birth = g.birthDate('vi');
      b.t('Họ tên: ')
        .v('person_name', g.name('vi'))
        .t('\nSố định danh cá nhân: ')
        .v('vn_cccd', g.cccd(birth.year, birth.female))
        .t('\nNgày sinh: ')
        .v('date_of_birth', birth.value);
    }),
    vietnamese((b, g) =>
      b
        .t('{"ho_ten": "')
        .v('person_name', g.name('vi'))
        .t('", "cccd": "')
        .v('vn_cccd', g.cccd())
        .t('", "ma_don": "')
        .t(g.orderNumber())
        .t('"}'),
    ),
    vietnamese((b, g) => b.t('CMND/CCCD: ').v('vn_cccd', g.cccd()).t(' - đã xác minh')),
    english((b, g) =>
      b.t('National ID (CCCD): ').v('vn_cccd', g.cccd()).t(', verified at ').t(g.timestamp()),
    ),
  ],
  vn_tax_code: [
    vietnamese((b, g) => b.t('Mã số thuế: ').v('vn_tax_code', generateMst(g.rng))),
    vietnamese((b, g) =>
      b
        .t(g.pick(COMPANIES_VI))
        .t(', MST: ')
        .v('vn_tax_code', generateMst(g.rng))
        .t(', địa chỉ: ')
        .v('address', g.address('vi')),
    ),
    vietnamese((b, g) =>
      b
        .t('Hóa đơn GTGT số ')
        .t(String(g.int(1, 99999)).padStart(7, '0'))
        .t(' - MST người mua ')
        .v('vn_tax_code', generateMst(g.rng))
        .t(', tổng tiền ')
        .t(g.priceVi()),
    ),
    vietnamese((b, g) => b.t('MST ').v('vn_tax_code', generateMst(g.rng)).t(' (chi nhánh)')),
    english((b, g) =>
      b.t('Tax code (MST): ').v('vn_tax_code', generateMst(g.rng)).t(' - ').t(g.pick(COMPANIES_EN)),
    ),
    english((b, g) =>
      b
        .t('{"company": "')
        .t(g.pick(COMPANIES_EN))
        .t('", "tax_code": "')
        .v('vn_tax_code', generateMst(g.rng))
        .t('", "created_at": "')
        .t(g.timestamp())
        .t('"}'),
    ),
  ],
  ip_address: [
    english((b, g) => b.t('Login from IP ').v('ip_address', generateIp(g.rng)).t(' at ').t(g.timestamp())),
    english((b, g) =>
      b
        .t('client_ip=')
        .v('ip_address', generateIp(g.rng))
        .t(' method=GET path=/api/orders/')
        .t(g.digits(6))
        .t(' status=200'),
    ),
    english((b, g) =>
      b
        .t('{"remote_addr": "')
        .v('ip_address', generateIp(g.rng))
        .t('", "user_agent": "curl/')
        .t(`${g.int(7, 8)}.${g.int(0, 99)}.${g.int(0, 9)}`)
        .t('"}'),
    ),
    vietnamese((b, g) =>
      b.t('Truy cập từ địa chỉ IP ').v('ip_address', generateIp(g.rng)).t(' lúc ').t(g.timestamp()),
    ),
  ],
  us_ssn: [
    english((b, g) => b.t('SSN: ').v('us_ssn', generateSsn(g.rng))),
    english((b, g) =>
      b
        .t('Social Security Number ')
        .v('us_ssn', generateSsn(g.rng))
        .t(' on file for ')
        .v('person_name', g.name('en'))
        .t('.'),
    ),
    english((b, g) =>
      b
        .t('{"employee": "')
        .v('person_name', g.name('en'))
        .t('", "ssn": "')
        .v('us_ssn', generateSsn(g.rng))
        .t('", "hired": "')
        .t(g.timestamp())
        .t('"}'),
    ),
    english((b, g) =>
      b.t('Applicant SSN ').v('us_ssn', generateSsn(g.rng)).t(', application ').t(g.orderNumber()),
    ),
  ],
  person_name: [
    english((b, g) =>
      b.t('Dear ').v('person_name', g.name('en')).t(',\nYour order ').t(g.orderNumber()).t(' has shipped.'),
    ),
    english((b, g) =>
      b.t('Customer ').v('person_name', g.name('en')).t(' requested a refund of ').t(g.priceEn()).t('.'),
    ),
    english((b, g) => b.t('Assigned to: ').v('person_name', g.name('en'))),
    english((b, g) => b.t('{"full_name": "').v('person_name', g.name('en')).t('", "tier": "gold"}')),
    vietnamese((b, g) =>
      b.t('Khách hàng ').v('person_name', g.name('vi')).t(' đã đặt đơn hàng ').t(g.orderNumber()).t('.'),
    ),
    vietnamese((b, g) => b.t('Kính gửi ông/bà ').v('person_name', g.name('vi')).t(',')),
    vietnamese((b, g) => b.t('Người nhận: ').v('person_name', g.name('vi')).t(' - ').t(g.productCode())),
    vietnamese((b, g) => b.t('Họ và tên: ').v('person_name', g.name('vi'))),
  ],
  address: [
    english((b, g) => b.t('Ship to: ').v('address', g.address('en'))),
    english((b, g) =>
      b.t('Billing address: ').v('address', g.address('en')).t('\nOrder ').t(g.orderNumber()),
    ),
    english((b, g) =>
      b.t('{"address": "').v('address', g.address('en')).t('", "sku": "').t(g.productCode()).t('"}'),
    ),
    vietnamese((b, g) => b.t('Địa chỉ: ').v('address', g.address('vi'))),
    vietnamese((b, g) =>
      b.t('Giao hàng đến ').v('address', g.address('vi')).t(' trước ').t(g.timestamp()).t('.'),
    ),
    vietnamese((b, g) => b.t('Thường trú tại ').v('address', g.address('vi')).t('.')),
  ],
  bank_account: [
    vietnamese((b, g) => {
      const account = generateBankAccount(g.rng, true);
      b.t('STK: ').v('bank_account', account).t(' - ').t(account.bank);
    }),
    vietnamese((b, g) => {
      const account = generateBankAccount(g.rng, true);
      b.t('Số tài khoản ')
        .v('bank_account', account)
        .t(' tại ')
        .t(account.bank)
        .t(' chi nhánh ')
        .t(g.pick(['Sài Gòn', 'Hà Nội', 'Đà Nẵng']));
    }),
    vietnamese((b, g) => {
      const account = generateBankAccount(g.rng, true);
      b.t('Vui lòng chuyển khoản vào STK ')
        .v('bank_account', account)
        .t(' (')
        .t(account.bank)
        .t('), chủ tài khoản ')
        .v('person_name', g.upperAsciiName())
        .t(', nội dung ')
        .t(g.orderNumber());
    }),
    vietnamese((b, g) => b.t('số tài khoản: ').v('bank_account', generateBankAccount(g.rng, true))),
    english((b, g) =>
      b
        .t('Account number: ')
        .v('bank_account', generateBankAccount(g.rng, false))
        .t(', routing via ')
        .t(g.pick(COMPANIES_EN)),
    ),
    english((b, g) => {
      const account = generateBankAccount(g.rng, true);
      b.t('Bank account no. ').v('bank_account', account).t(' at ').t(account.bank);
    }),
  ],
  date_of_birth: [
    vietnamese((b, g) => b.t('Ngày sinh: ').v('date_of_birth', g.birthDate('vi').value)),
    vietnamese((b, g) =>
      b
        .t('Bệnh nhân sinh ngày ')
        .v('date_of_birth', g.birthDate('vi').value)
        .t(', nhập viện lúc ')
        .t(g.timestamp()),
    ),
    vietnamese((b, g) =>
      b
        .t('{"ngay_sinh": "')
        .v('date_of_birth', g.birthDate('vi').value)
        .t('", "ma_kh": "KH')
        .t(g.digits(6))
        .t('"}'),
    ),
    english((b, g) => b.t('Date of birth: ').v('date_of_birth', g.birthDate('en').value)),
    english((b, g) =>
      b.t('DOB: ').v('date_of_birth', g.birthDate('en').value).t(' | Member since ').t(g.timestamp()),
    ),
    english((b, g) => b.t('The patient was born on ').v('date_of_birth', g.birthDate('en').value).t('.')),
    english((b, g) =>
      b
        .t('{"date_of_birth": "')
        .v('date_of_birth', g.birthDate('en').value)
        .t('", "plan": "')
        .t(g.productCode())
        .t('"}'),
    ),
  ],
  passport: [
    vietnamese((b, g) => b.t('Số hộ chiếu: ').v('passport', generatePassport(g.rng, true))),
    vietnamese((b, g) =>
      b
        .t('Hộ chiếu số ')
        .v('passport', generatePassport(g.rng, true))
        .t(' cấp ngày ')
        .t(`${pad2(g.int(1, 28))}/${pad2(g.int(1, 12))}/${g.int(2016, 2025)}`),
    ),
    english((b, g) => b.t('Passport No.: ').v('passport', generatePassport(g.rng, g.chance(0.5)))),
    english((b, g) =>
      b
        .t('{"traveler": "')
        .v('person_name', g.name('en'))
        .t('", "passport_number": "')
        .v('passport', generatePassport(g.rng, false))
        .t('"}'),
    ),
    english((b, g) =>
      b
        .t('passport number ')
        .v('passport', generatePassport(g.rng, g.chance(0.5)))
        .t(', booking ')
        .t(g.orderNumber()),
    ),
  ],
  negative: [
    english((b, g) => b.t('Order ').t(g.orderNumber()).t(' has been shipped. Total: ').t(g.priceEn()).t('.')),
    vietnamese((b, g) => b.t('Đơn hàng ').t(g.orderNumber()).t(' đã được giao. Tổng tiền: ').t(g.priceVi())),
    english((b, g) =>
      b.t(`Release ${g.version()} is out; upgrade from ${g.version()} before ${g.timestamp()}.`),
    ),
    english((b, g) => b.t(`created_at: ${g.timestamp()}, updated_at: ${g.timestamp()}`)),
    english((b, g) => b.t(`SKU: ${g.productCode()}, ${g.productCode()}, qty ${g.int(1, 50)}`)),
    vietnamese((b, g) =>
      b.t(
        `Hóa đơn INV/${g.int(2023, 2026)}/${String(g.int(1, 999_999)).padStart(6, '0')} hạn thanh toán ${pad2(g.int(1, 28))}/${pad2(g.int(1, 12))}/${g.int(2024, 2026)}, số tiền ${g.priceVi()}`,
      ),
    ),
    english((b, g) =>
      b.t(
        `{"order_id": ${g.digits(10)}, "price": ${g.int(10_000, 9_999_000)}, "currency": "VND", "sku": "${g.productCode()}", "ts": ${g.epochMillis()}}`,
      ),
    ),
    vietnamese((b, g) =>
      b.t(`Mã sản phẩm: ${g.productCode()}, giá ${g.priceVi()}, bảo hành ${g.int(6, 36)} tháng`),
    ),
    english((b, g) =>
      b.t(`npm package @acme/widgets@${g.int(1, 9)}.${g.int(0, 20)}.${g.int(0, 9)} requires ${g.version()}`),
    ),
    english((b, g) => b.t(`| ${g.orderNumber()} | ${g.productCode()} | ${g.priceEn()} | ${g.timestamp()} |`)),
  ],
};

export interface SyntheticOptions {
  seed?: number;
  /** Examples generated for each PII type, and negatives (default 320). */
  perType?: number;
}

/** Generates the set: `perType` examples focused on each PII type, then `perType` negatives. */
export function generateSyntheticSet(options: SyntheticOptions = {}): SyntheticExample[] {
  const seed = options.seed ?? DEFAULT_SEED;
  const perType = options.perType ?? 320;
  const generators = new Generators(seed);
  const examples: SyntheticExample[] = [];
  for (const focus of [...PII_TYPES, 'negative'] as const) {
    const templates = TEMPLATES[focus];
    for (let index = 0; index < perType; index++) {
      const template = templates[index % templates.length] as Template;
      const builder = new ExampleBuilder();
      template.build(builder, generators);
      examples.push({
        id: `${focus}-${index}`,
        language: template.language,
        focus,
        text: builder.text,
        spans: builder.spans,
      });
    }
  }
  return examples;
}

/** Where the benchmark writes its generated data (outside the repository; regenerated on every run). */
export function syntheticDirectory(): string {
  return join(tmpdir(), 'warden-bench-inspect');
}

/** Writes the set as JSON lines to the temp directory and returns the file path. */
export async function writeSyntheticSet(
  examples: readonly SyntheticExample[],
  name: string,
): Promise<string> {
  const directory = syntheticDirectory();
  await mkdir(directory, { recursive: true });
  const file = join(directory, name);
  await writeFile(file, examples.map((example) => JSON.stringify(example)).join('\n') + '\n');
  return file;
}

/** Gold spans per type (and how many examples contain each type). */
export function countGold(examples: readonly SyntheticExample[]): Record<PiiType, number> {
  const counts = Object.fromEntries(PII_TYPES.map((type) => [type, 0])) as Record<PiiType, number>;
  for (const example of examples) for (const span of example.spans) counts[span.type] += 1;
  return counts;
}
