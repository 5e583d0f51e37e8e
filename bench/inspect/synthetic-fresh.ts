/**
 * A second family of templates for the synthetic PII set, written after the detectors had been
 * tuned while the first family (`synthetic.ts`) and `npm run bench:inspect` were in the tree. Other
 * sentences, record shapes (YAML, logs, HTML, chat) and a different seed, with the same generators:
 * the gap between the two families shows how much the first one's figures owe to tuning on it.
 * Once this file has been seen by the detector authors it stops being fresh; write a new family then.
 */
import {
  generateBankAccount,
  generateCard,
  generateIban,
  generateIp,
  generateMst,
  generatePassport,
  generateSsn,
  generateVnLandline,
  generateVnMobile,
} from './identifiers.js';
import { DEFAULT_SEED, english, generateFromTemplates, vietnamese } from './synthetic.js';
import type { PiiType, SyntheticExample, Template } from './synthetic.js';

const pad2 = (value: number): string => String(value).padStart(2, '0');
const NGINX_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const FRESH_TEMPLATES: Record<PiiType | 'negative', readonly Template[]> = {
  email: [
    english((text, data) =>
      text.plain('Customer wrote from ').value('email', data.email()).plain(': "Where is my parcel?"'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Gửi từ: ')
        .value('email', data.email())
        .plain(' | Tiêu đề: Yêu cầu hoàn tiền đơn ')
        .plain(data.orderNumber()),
    ),
    english((text, data) =>
      text.plain('contact:\n  email: ').value('email', data.email()).plain('\n  verified: true'),
    ),
    english((text, data) => {
      const email = data.email();
      text.plain('<a href="mailto:').value('email', email).plain('">').value('email', email).plain('</a>');
    }),
  ],
  phone: [
    vietnamese((text, data) =>
      text
        .plain('Em ơi gọi lại cho chị số ')
        .value('phone', generateVnMobile(data.rng))
        .plain(' nhé, cảm ơn em.'),
    ),
    english((text, data) =>
      text.plain('phone: "').value('phone', data.phone('en')).plain('"\nopt_in: false'),
    ),
    english((text, data) =>
      text.plain('Reached voicemail at ').value('phone', data.phone('en')).plain('; left a message.'),
    ),
    vietnamese((text, data) =>
      text.plain('Tổng đài CSKH ').value('phone', generateVnLandline(data.rng)).plain(' (nhánh 2)'),
    ),
  ],
  payment_card: [
    english((text, data) =>
      text
        .plain('payment_method=card pan=')
        .value('payment_card', generateCard(data.rng))
        .plain(' result=declined'),
    ),
    english((text, data) =>
      text
        .plain('card: ')
        .value('payment_card', generateCard(data.rng))
        .plain(` (expires ${pad2(data.int(1, 12))}/${data.int(27, 31)})`),
    ),
    vietnamese((text, data) =>
      text
        .plain('Số thẻ tín dụng ')
        .value('payment_card', generateCard(data.rng))
        .plain(' đã bị khóa tạm thời.'),
    ),
  ],
  iban: [
    english((text, data) =>
      text.plain('IBAN: ').value('iban', generateIban(data.rng)).plain(' BIC: COBADEFFXXX'),
    ),
    english((text, data) =>
      text.plain('iban: ').value('iban', generateIban(data.rng)).plain('\nholder_type: business'),
    ),
    english((text, data) =>
      text.plain('Refund will be sent to ').value('iban', generateIban(data.rng)).plain(' within 5 days.'),
    ),
  ],
  vn_cccd: [
    vietnamese((text, data) => text.plain('Số căn cước: ').value('vn_cccd', data.cccd())),
    vietnamese((text, data) =>
      text.plain('Giấy tờ tùy thân: CCCD ').value('vn_cccd', data.cccd()).plain(', bản gốc'),
    ),
    vietnamese((text, data) =>
      text.plain('so_cccd: "').value('vn_cccd', data.cccd()).plain('"\nda_xac_thuc: true'),
    ),
    vietnamese((text, data) =>
      text
        .plain('Khách hàng xuất trình CCCD số ')
        .value('vn_cccd', data.cccd())
        .plain(' khi nhận hàng lúc ')
        .plain(data.timestamp()),
    ),
  ],
  vn_tax_code: [
    english((text, data) => text.plain('MST/Tax ID: ').value('vn_tax_code', generateMst(data.rng))),
    vietnamese((text, data) =>
      text
        .plain('Đơn vị: Công ty TNHH Thiết bị Số - Mã số doanh nghiệp: ')
        .value('vn_tax_code', generateMst(data.rng)),
    ),
    english((text, data) =>
      text
        .plain('event=invoice.created tax_id=')
        .value('vn_tax_code', generateMst(data.rng))
        .plain(` total=${data.int(100, 99_999)}000`),
    ),
    vietnamese((text, data) =>
      text
        .plain('Người bán: Công ty CP Dược phẩm An Khang, mã số thuế ')
        .value('vn_tax_code', generateMst(data.rng)),
    ),
  ],
  ip_address: [
    english((text, data) =>
      text
        .value('ip_address', generateIp(data.rng))
        .plain(
          ` - - [${pad2(data.int(1, 28))}/${data.pick(NGINX_MONTHS)}/${data.int(2023, 2026)}:${pad2(data.int(0, 23))}:${pad2(data.int(0, 59))}:${pad2(data.int(0, 59))} +0700] "GET /api/v1/orders HTTP/1.1" 200 ${data.int(100, 9999)}`,
        ),
    ),
    english((text, data) =>
      text
        .plain('X-Forwarded-For: ')
        .value('ip_address', generateIp(data.rng))
        .plain(', ')
        .value('ip_address', generateIp(data.rng)),
    ),
    vietnamese((text, data) =>
      text.plain('Cảnh báo: đăng nhập bất thường từ ').value('ip_address', generateIp(data.rng)),
    ),
  ],
  us_ssn: [
    english((text, data) =>
      text.plain('ssn: ').value('us_ssn', generateSsn(data.rng)).plain('\nstatus: verified'),
    ),
    english((text, data) =>
      text.plain('Tax ID (SSN) ').value('us_ssn', generateSsn(data.rng)).plain(' as given on the W-9.'),
    ),
    english((text, data) =>
      text
        .plain('Verify SSN ')
        .value('us_ssn', generateSsn(data.rng))
        .plain(' before payroll run ')
        .plain(data.orderNumber()),
    ),
  ],
  person_name: [
    vietnamese((text, data) =>
      text.plain('Chào ').value('person_name', data.name('vi')).plain(', đơn của bạn đã được xác nhận.'),
    ),
    english((text, data) => text.plain('Signed,\n').value('person_name', data.name('en'))),
    english((text, data) =>
      text.plain('owner: ').value('person_name', data.name('en')).plain('\nteam: billing'),
    ),
    vietnamese((text, data) =>
      text.plain('Người liên hệ: ').value('person_name', data.name('vi')).plain(' (Phòng Kế toán)'),
    ),
    english((text, data) =>
      text
        .plain('Ticket reassigned by ')
        .value('person_name', data.name('en'))
        .plain(' to ')
        .value('person_name', data.name('en'))
        .plain('.'),
    ),
  ],
  address: [
    vietnamese((text, data) => text.plain('Địa chỉ nhận hàng: ').value('address', data.address('vi'))),
    english((text, data) =>
      text.plain('shipping_address: "').value('address', data.address('en')).plain('"'),
    ),
    english((text, data) =>
      text.plain('Deliver to ').value('address', data.address('en')).plain(' (leave at the door).'),
    ),
    vietnamese((text, data) => text.plain('Trụ sở chính: ').value('address', data.address('vi'))),
  ],
  bank_account: [
    vietnamese((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text
        .plain(`Chuyển khoản: ${account.bank} - STK `)
        .value('bank_account', account)
        .plain(' - ')
        .value('person_name', data.upperAsciiName());
    }),
    vietnamese((text, data) => {
      const account = generateBankAccount(data.rng, true);
      text
        .plain('Vui lòng thanh toán vào tài khoản số ')
        .value('bank_account', account)
        .plain(` mở tại ${account.bank}.`);
    }),
    english((text, data) =>
      text
        .plain('account_number: "')
        .value('bank_account', generateBankAccount(data.rng, false))
        .plain('"\ntype: checking'),
    ),
  ],
  date_of_birth: [
    vietnamese((text, data) =>
      text
        .plain('Họ tên: ')
        .value('person_name', data.name('vi'))
        .plain(' - NS: ')
        .value('date_of_birth', data.birthDate('vi').value),
    ),
    english((text, data) => text.plain('birthdate: ').value('date_of_birth', data.birthDate('en').value)),
    english((text, data) =>
      text.plain('Age check passed (born ').value('date_of_birth', data.birthDate('en').value).plain(').'),
    ),
  ],
  passport: [
    english((text, data) =>
      text
        .plain('Passport: ')
        .value('passport', generatePassport(data.rng, data.chance(0.5)))
        .plain(` (exp. ${data.int(2027, 2035)}-${pad2(data.int(1, 12))}-01)`),
    ),
    vietnamese((text, data) =>
      text.plain('Số hộ chiếu/Passport No: ').value('passport', generatePassport(data.rng, true)),
    ),
    english((text, data) =>
      text.plain('passport_no: ').value('passport', generatePassport(data.rng, data.chance(0.5))),
    ),
  ],
  negative: [
    english((text, data) =>
      text.plain(`GET /api/v1/orders/${data.digits(6)} 200 ${data.int(100, 9999)} ${data.int(1, 999)}ms`),
    ),
    vietnamese((text, data) => text.plain(`Mã vận đơn: GHN${data.digits(9)} - trạng thái: đang giao`)),
    english((text, data) =>
      text.plain(`Batch #${data.digits(7)}, lot ${data.productCode()}, expires ${data.timestamp()}`),
    ),
    vietnamese((text, data) =>
      text.plain(`Tổng hóa đơn: ${data.priceVi()} (đã gồm VAT 10%), mã giảm giá SALE${data.int(10, 99)}`),
    ),
    english((text, data) =>
      text.plain(`Updated to ${data.version()} at ${data.timestamp()}; previous ${data.version()}`),
    ),
    english((text, data) =>
      text.plain(`quantity: ${data.int(1, 500)}\nunit_price: ${data.priceEn()}\nsku: ${data.productCode()}`),
    ),
  ],
};

/** The fresh family: `perType` examples per type (default 120) and as many negatives, another seed. */
export function generateFreshSet(options: { seed?: number; perType?: number } = {}): SyntheticExample[] {
  return generateFromTemplates(
    FRESH_TEMPLATES,
    options.seed ?? DEFAULT_SEED + 1000,
    options.perType ?? 120,
    'fresh-',
  );
}
