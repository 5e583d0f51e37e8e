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
export class ExampleBuilder {
  content = '';
  readonly spans: GoldSpan[] = [];

  /** Literal text, never PII. */
  plain(literal: string): this {
    this.content += literal;
    return this;
  }

  /** A labelled value. */
  value(type: PiiType, generated: GeneratedValue): this {
    const start = this.content.length;
    this.content += generated.value;
    this.spans.push({ type, start, end: this.content.length, variant: generated.variant });
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

/** One way of writing an example: its language and how it is built from generated values. */
export type Template = { language: 'en' | 'vi'; build: (text: ExampleBuilder, data: Generators) => void };

export const english = (build: Template['build']): Template => ({ language: 'en', build });
export const vietnamese = (build: Template['build']): Template => ({ language: 'vi', build });

/** Templates per focus type. Every personal value in them is labelled; the rest is negatives or prose. */
const TEMPLATES: Record<PiiType | 'negative', readonly Template[]> = {
  email: [
    english((text, data) => {
      const name = data.name('en');
      text
        .plain('Please contact ')
        .value('person_name', name)
        .plain(' at ')
        .value('email', data.email(name.value))
        .plain(' about order ')
        .plain(data.orderNumber())
        .plain('.');
    }),
    english((text, data) =>
      text
        .plain('From: support <')
        .value('email', data.email())
        .plain('>\nSubject: Order ')
        .plain(data.orderNumber())
        .plain(' shipped\nTotal: ')
        .plain(data.priceEn()),
    ),
    english((text, data) =>
      text
        .plain('{"customer_id": "CUS-')
        .plain(data.digits(5))
        .plain('", "email": "')
        .value('email', data.email())
        .plain('", "status": "active", "updated_at": "')
        .plain(data.timestamp())
        .plain('"}'),
    ),
    english((text, data) =>
      text.plain('reply-to: ').value('email', data.email()).plain('; cc: ').value('email', data.email()),
    ),
    vietnamese((text, data) =>
      text
        .plain('Vui lòng gửi hồ sơ về địa chỉ email ')
        .value('email', data.email())
        .plain(' trước ngày ')
        .plain(`${data.int(1, 28)}/${data.int(1, 12)}`)
        .plain('.'),
    ),
    vietnamese((text, data) => {
      const name = data.name('vi');
      text
        .plain('Khách hàng ')
        .value('person_name', name)
        .plain(' (email: ')
        .value('email', data.email(name.value))
        .plain(') đã thanh toán ')
        .plain(data.priceVi())
        .plain('.');
    }),
    vietnamese((text, data) => text.plain('Email liên hệ: ').value('email', data.email())),
  ],
  phone: [
    vietnamese((text, data) => {
      const name = data.name('vi');
      text
        .plain('Liên hệ anh ')
        .value('person_name', name)
        .plain(' qua số ')
        .value('phone', data.phone('vi'))
        .plain(' để được hỗ trợ.');
    }),
    vietnamese((text, data) =>
      text.plain('SĐT: ').value('phone', data.phone('vi')).plain(' | Mã đơn: ').plain(data.orderNumber()),
    ),
    vietnamese((text, data) =>
      text
        .plain('Hotline: ')
        .value('phone', generateVnLandline(data.rng))
        .plain(' (8:00 - 17:30, thứ Hai đến thứ Sáu)'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Điện thoại di động: ')
        .value('phone', generateVnMobile(data.rng))
        .plain(', điện thoại bàn: ')
        .value('phone', generateVnLandline(data.rng)),
    ),
    english((text, data) => text.plain('Call me at ').value('phone', data.phone('en')).plain(' after 5pm.')),
    english((text, data) =>
      text
        .plain('{"name": "')
        .value('person_name', data.name('en'))
        .plain('", "phone": "')
        .value('phone', data.phone('en'))
        .plain('", "plan": "')
        .plain(data.productCode())
        .plain('"}'),
    ),
    english((text, data) =>
      text
        .plain('| ')
        .plain(data.orderNumber())
        .plain(' | ')
        .value('phone', data.phone('en'))
        .plain(' | ')
        .plain(data.priceEn())
        .plain(' |'),
    ),
  ],
  payment_card: [
    english((text, data) =>
      text
        .plain('Card number: ')
        .value('payment_card', generateCard(data.rng))
        .plain(', exp ')
        .plain(`${pad2(data.int(1, 12))}/${data.int(27, 31)}`),
    ),
    english((text, data) =>
      text
        .plain('Charged ')
        .value('payment_card', generateCard(data.rng))
        .plain(' for ')
        .plain(data.priceEn())
        .plain(' on ')
        .plain(data.timestamp())
        .plain('.'),
    ),
    english((text, data) =>
      text
        .plain('{"card_number": "')
        .value('payment_card', generateCard(data.rng))
        .plain('", "amount": ')
        .plain(String(data.int(1, 999)))
        .plain('.99, "currency": "USD"}'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Thanh toán bằng thẻ ')
        .value('payment_card', generateCard(data.rng))
        .plain(' thành công, số tiền ')
        .plain(data.priceVi())
        .plain('.'),
    ),
    vietnamese((text, data) => {
      const name = data.upperAsciiName();
      text
        .plain('Số thẻ: ')
        .value('payment_card', generateCard(data.rng))
        .plain('\nChủ thẻ: ')
        .value('person_name', name);
    }),
  ],
  iban: [
    english((text, data) =>
      text
        .plain('Please wire the amount to IBAN ')
        .value('iban', generateIban(data.rng))
        .plain(' by ')
        .plain(data.timestamp())
        .plain('.'),
    ),
    english((text, data) =>
      text
        .plain('Beneficiary account: ')
        .value('iban', generateIban(data.rng))
        .plain('\nReference: ')
        .plain(data.orderNumber()),
    ),
    english((text, data) =>
      text
        .plain('{"iban": "')
        .value('iban', generateIban(data.rng))
        .plain('", "currency": "EUR", "amount": ')
        .plain(String(data.int(10, 9999)))
        .plain('}'),
    ),
    vietnamese((text, data) => {
      const name = data.name('en');
      text
        .plain('Chuyển khoản quốc tế tới IBAN ')
        .value('iban', generateIban(data.rng))
        .plain(', người nhận ')
        .value('person_name', name)
        .plain('.');
    }),
    vietnamese((text, data) => text.plain('Tài khoản nhận (IBAN): ').value('iban', generateIban(data.rng))),
  ],
  vn_cccd: [
    vietnamese((text, data) => text.plain('Số CCCD: ').value('vn_cccd', data.cccd())),
    vietnamese((text, data) =>
      text
        .plain('Căn cước công dân số ')
        .value('vn_cccd', data.cccd())
        .plain(' cấp ngày ')
        .plain(`${pad2(data.int(1, 28))}/${pad2(data.int(1, 12))}/${data.int(2021, 2025)}`)
        .plain(' tại Cục Cảnh sát QLHC về TTXH.'),
    ),
    vietnamese((text, data) => {
      const birth = data.birthDate('vi');
      text
        .plain('Họ tên: ')
        .value('person_name', data.name('vi'))
        .plain('\nSố định danh cá nhân: ')
        .value('vn_cccd', data.cccd(birth.year, birth.female))
        .plain('\nNgày sinh: ')
        .value('date_of_birth', birth.value);
    }),
    vietnamese((text, data) =>
      text
        .plain('{"ho_ten": "')
        .value('person_name', data.name('vi'))
        .plain('", "cccd": "')
        .value('vn_cccd', data.cccd())
        .plain('", "ma_don": "')
        .plain(data.orderNumber())
        .plain('"}'),
    ),
    vietnamese((text, data) =>
      text.plain('CMND/CCCD: ').value('vn_cccd', data.cccd()).plain(' - đã xác minh'),
    ),
    english((text, data) =>
      text
        .plain('National ID (CCCD): ')
        .value('vn_cccd', data.cccd())
        .plain(', verified at ')
        .plain(data.timestamp()),
    ),
  ],
  vn_tax_code: [
    vietnamese((text, data) => text.plain('Mã số thuế: ').value('vn_tax_code', generateMst(data.rng))),
    vietnamese((text, data) =>
      text
        .plain(data.pick(COMPANIES_VI))
        .plain(', MST: ')
        .value('vn_tax_code', generateMst(data.rng))
        .plain(', địa chỉ: ')
        .value('address', data.address('vi')),
    ),
    vietnamese((text, data) =>
      text
        .plain('Hóa đơn GTGT số ')
        .plain(String(data.int(1, 99999)).padStart(7, '0'))
        .plain(' - MST người mua ')
        .value('vn_tax_code', generateMst(data.rng))
        .plain(', tổng tiền ')
        .plain(data.priceVi()),
    ),
    vietnamese((text, data) =>
      text.plain('MST ').value('vn_tax_code', generateMst(data.rng)).plain(' (chi nhánh)'),
    ),
    english((text, data) =>
      text
        .plain('Tax code (MST): ')
        .value('vn_tax_code', generateMst(data.rng))
        .plain(' - ')
        .plain(data.pick(COMPANIES_EN)),
    ),
    english((text, data) =>
      text
        .plain('{"company": "')
        .plain(data.pick(COMPANIES_EN))
        .plain('", "tax_code": "')
        .value('vn_tax_code', generateMst(data.rng))
        .plain('", "created_at": "')
        .plain(data.timestamp())
        .plain('"}'),
    ),
  ],
  ip_address: [
    english((text, data) =>
      text
        .plain('Login from IP ')
        .value('ip_address', generateIp(data.rng))
        .plain(' at ')
        .plain(data.timestamp()),
    ),
    english((text, data) =>
      text
        .plain('client_ip=')
        .value('ip_address', generateIp(data.rng))
        .plain(' method=GET path=/api/orders/')
        .plain(data.digits(6))
        .plain(' status=200'),
    ),
    english((text, data) =>
      text
        .plain('{"remote_addr": "')
        .value('ip_address', generateIp(data.rng))
        .plain('", "user_agent": "curl/')
        .plain(`${data.int(7, 8)}.${data.int(0, 99)}.${data.int(0, 9)}`)
        .plain('"}'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Truy cập từ địa chỉ IP ')
        .value('ip_address', generateIp(data.rng))
        .plain(' lúc ')
        .plain(data.timestamp()),
    ),
  ],
  us_ssn: [
    english((text, data) => text.plain('SSN: ').value('us_ssn', generateSsn(data.rng))),
    english((text, data) =>
      text
        .plain('Social Security Number ')
        .value('us_ssn', generateSsn(data.rng))
        .plain(' on file for ')
        .value('person_name', data.name('en'))
        .plain('.'),
    ),
    english((text, data) =>
      text
        .plain('{"employee": "')
        .value('person_name', data.name('en'))
        .plain('", "ssn": "')
        .value('us_ssn', generateSsn(data.rng))
        .plain('", "hired": "')
        .plain(data.timestamp())
        .plain('"}'),
    ),
    english((text, data) =>
      text
        .plain('Applicant SSN ')
        .value('us_ssn', generateSsn(data.rng))
        .plain(', application ')
        .plain(data.orderNumber()),
    ),
  ],
  person_name: [
    english((text, data) =>
      text
        .plain('Dear ')
        .value('person_name', data.name('en'))
        .plain(',\nYour order ')
        .plain(data.orderNumber())
        .plain(' has shipped.'),
    ),
    english((text, data) =>
      text
        .plain('Customer ')
        .value('person_name', data.name('en'))
        .plain(' requested a refund of ')
        .plain(data.priceEn())
        .plain('.'),
    ),
    english((text, data) => text.plain('Assigned to: ').value('person_name', data.name('en'))),
    english((text, data) =>
      text.plain('{"full_name": "').value('person_name', data.name('en')).plain('", "tier": "gold"}'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Khách hàng ')
        .value('person_name', data.name('vi'))
        .plain(' đã đặt đơn hàng ')
        .plain(data.orderNumber())
        .plain('.'),
    ),
    vietnamese((text, data) =>
      text.plain('Kính gửi ông/bà ').value('person_name', data.name('vi')).plain(','),
    ),
    vietnamese((text, data) =>
      text.plain('Người nhận: ').value('person_name', data.name('vi')).plain(' - ').plain(data.productCode()),
    ),
    vietnamese((text, data) => text.plain('Họ và tên: ').value('person_name', data.name('vi'))),
  ],
  address: [
    english((text, data) => text.plain('Ship to: ').value('address', data.address('en'))),
    english((text, data) =>
      text
        .plain('Billing address: ')
        .value('address', data.address('en'))
        .plain('\nOrder ')
        .plain(data.orderNumber()),
    ),
    english((text, data) =>
      text
        .plain('{"address": "')
        .value('address', data.address('en'))
        .plain('", "sku": "')
        .plain(data.productCode())
        .plain('"}'),
    ),
    vietnamese((text, data) => text.plain('Địa chỉ: ').value('address', data.address('vi'))),
    vietnamese((text, data) =>
      text
        .plain('Giao hàng đến ')
        .value('address', data.address('vi'))
        .plain(' trước ')
        .plain(data.timestamp())
        .plain('.'),
    ),
    vietnamese((text, data) => text.plain('Thường trú tại ').value('address', data.address('vi')).plain('.')),
  ],
  bank_account: [
    vietnamese((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text.plain('STK: ').value('bank_account', account).plain(' - ').plain(account.bank);
    }),
    vietnamese((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text
        .plain('Số tài khoản ')
        .value('bank_account', account)
        .plain(' tại ')
        .plain(account.bank)
        .plain(' chi nhánh ')
        .plain(data.pick(['Sài Gòn', 'Hà Nội', 'Đà Nẵng']));
    }),
    vietnamese((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text
        .plain('Vui lòng chuyển khoản vào STK ')
        .value('bank_account', account)
        .plain(' (')
        .plain(account.bank)
        .plain('), chủ tài khoản ')
        .value('person_name', data.upperAsciiName())
        .plain(', nội dung ')
        .plain(data.orderNumber());
    }),
    vietnamese((text, data) =>
      text.plain('số tài khoản: ').value('bank_account', generateBankAccount(data.rng, true)),
    ),
    english((text, data) =>
      text
        .plain('Account number: ')
        .value('bank_account', generateBankAccount(data.rng, false))
        .plain(', routing via ')
        .plain(data.pick(COMPANIES_EN)),
    ),
    english((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text.plain('Bank account no. ').value('bank_account', account).plain(' at ').plain(account.bank);
    }),
  ],
  date_of_birth: [
    vietnamese((text, data) => text.plain('Ngày sinh: ').value('date_of_birth', data.birthDate('vi').value)),
    vietnamese((text, data) =>
      text
        .plain('Bệnh nhân sinh ngày ')
        .value('date_of_birth', data.birthDate('vi').value)
        .plain(', nhập viện lúc ')
        .plain(data.timestamp()),
    ),
    vietnamese((text, data) =>
      text
        .plain('{"ngay_sinh": "')
        .value('date_of_birth', data.birthDate('vi').value)
        .plain('", "ma_kh": "KH')
        .plain(data.digits(6))
        .plain('"}'),
    ),
    english((text, data) => text.plain('Date of birth: ').value('date_of_birth', data.birthDate('en').value)),
    english((text, data) =>
      text
        .plain('DOB: ')
        .value('date_of_birth', data.birthDate('en').value)
        .plain(' | Member since ')
        .plain(data.timestamp()),
    ),
    english((text, data) =>
      text.plain('The patient was born on ').value('date_of_birth', data.birthDate('en').value).plain('.'),
    ),
    english((text, data) =>
      text
        .plain('{"date_of_birth": "')
        .value('date_of_birth', data.birthDate('en').value)
        .plain('", "plan": "')
        .plain(data.productCode())
        .plain('"}'),
    ),
  ],
  passport: [
    vietnamese((text, data) =>
      text.plain('Số hộ chiếu: ').value('passport', generatePassport(data.rng, true)),
    ),
    vietnamese((text, data) =>
      text
        .plain('Hộ chiếu số ')
        .value('passport', generatePassport(data.rng, true))
        .plain(' cấp ngày ')
        .plain(`${pad2(data.int(1, 28))}/${pad2(data.int(1, 12))}/${data.int(2016, 2025)}`),
    ),
    english((text, data) =>
      text.plain('Passport No.: ').value('passport', generatePassport(data.rng, data.chance(0.5))),
    ),
    english((text, data) =>
      text
        .plain('{"traveler": "')
        .value('person_name', data.name('en'))
        .plain('", "passport_number": "')
        .value('passport', generatePassport(data.rng, false))
        .plain('"}'),
    ),
    english((text, data) =>
      text
        .plain('passport number ')
        .value('passport', generatePassport(data.rng, data.chance(0.5)))
        .plain(', booking ')
        .plain(data.orderNumber()),
    ),
  ],
  negative: [
    english((text, data) =>
      text
        .plain('Order ')
        .plain(data.orderNumber())
        .plain(' has been shipped. Total: ')
        .plain(data.priceEn())
        .plain('.'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Đơn hàng ')
        .plain(data.orderNumber())
        .plain(' đã được giao. Tổng tiền: ')
        .plain(data.priceVi()),
    ),
    english((text, data) =>
      text.plain(
        `Release ${data.version()} is out; upgrade from ${data.version()} before ${data.timestamp()}.`,
      ),
    ),
    english((text, data) => text.plain(`created_at: ${data.timestamp()}, updated_at: ${data.timestamp()}`)),
    english((text, data) =>
      text.plain(`SKU: ${data.productCode()}, ${data.productCode()}, qty ${data.int(1, 50)}`),
    ),
    vietnamese((text, data) =>
      text.plain(
        `Hóa đơn INV/${data.int(2023, 2026)}/${String(data.int(1, 999_999)).padStart(6, '0')} hạn thanh toán ${pad2(data.int(1, 28))}/${pad2(data.int(1, 12))}/${data.int(2024, 2026)}, số tiền ${data.priceVi()}`,
      ),
    ),
    english((text, data) =>
      text.plain(
        `{"order_id": ${data.digits(10)}, "price": ${data.int(10_000, 9_999_000)}, "currency": "VND", "sku": "${data.productCode()}", "ts": ${data.epochMillis()}}`,
      ),
    ),
    vietnamese((text, data) =>
      text.plain(
        `Mã sản phẩm: ${data.productCode()}, giá ${data.priceVi()}, bảo hành ${data.int(6, 36)} tháng`,
      ),
    ),
    english((text, data) =>
      text.plain(
        `npm package @acme/widgets@${data.int(1, 9)}.${data.int(0, 20)}.${data.int(0, 9)} requires ${data.version()}`,
      ),
    ),
    english((text, data) =>
      text.plain(
        `| ${data.orderNumber()} | ${data.productCode()} | ${data.priceEn()} | ${data.timestamp()} |`,
      ),
    ),
  ],
};

export interface SyntheticOptions {
  seed?: number;
  /** Examples generated for each PII type, and negatives (default 320). */
  perType?: number;
}

/** Generates the set: `perType` examples focused on each PII type, then `perType` negatives. */
export function generateSyntheticSet(options: SyntheticOptions = {}): SyntheticExample[] {
  return generateFromTemplates(TEMPLATES, options.seed ?? DEFAULT_SEED, options.perType ?? 320, '');
}

/** `perType` examples per focus type from `templates` (cycled in order), ids prefixed with `prefix`. */
export function generateFromTemplates(
  templates: Record<PiiType | 'negative', readonly Template[]>,
  seed: number,
  perType: number,
  prefix: string,
): SyntheticExample[] {
  const generators = new Generators(seed);
  const examples: SyntheticExample[] = [];
  for (const focus of [...PII_TYPES, 'negative'] as const) {
    const list = templates[focus];
    for (let index = 0; index < perType; index++) {
      const template = list[index % list.length] as Template;
      const builder = new ExampleBuilder();
      template.build(builder, generators);
      examples.push({
        id: `${prefix}${focus}-${index}`,
        language: template.language,
        focus,
        text: builder.content,
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
