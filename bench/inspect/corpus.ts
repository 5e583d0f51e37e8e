/**
 * The speed corpus of the inspection benchmark: realistic tool results (JSON customer records,
 * e-mails, Markdown tables, CSV exports, plus the BIPIA and AgentDojo contexts as third-party
 * content), generated deterministically, and fixed-size 4 KB tool results for latency.
 */
import { generateCard } from './identifiers.js';
import { Generators } from './synthetic.js';

const SENTENCES_EN = [
  'Thanks for reaching out about your recent order.',
  'We have reviewed the request and issued a partial refund.',
  'The package left our warehouse this morning and should arrive within three business days.',
  'Please find the updated invoice attached to this message.',
  'Our records show the subscription renews automatically each month.',
  'If anything looks wrong, reply to this email and our team will look into it.',
  'The technician is scheduled to visit between 9am and noon.',
  'Your ticket has been escalated to the billing department.',
  'We noticed a failed payment attempt on your account.',
  'The return label is valid for 30 days from the date of this message.',
];
const SENTENCES_VI = [
  'Cảm ơn quý khách đã liên hệ với bộ phận chăm sóc khách hàng.',
  'Đơn hàng của quý khách đã được xác nhận và đang được đóng gói.',
  'Vui lòng kiểm tra thông tin thanh toán trước khi xác nhận.',
  'Nhân viên giao hàng sẽ liên hệ trước khi giao.',
  'Hóa đơn điện tử đã được gửi tới hộp thư của quý khách.',
  'Nếu có thắc mắc, quý khách vui lòng phản hồi email này.',
  'Chương trình khuyến mãi áp dụng đến hết tháng này.',
  'Yêu cầu đổi trả đã được tiếp nhận và đang chờ xử lý.',
];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'refunded', 'cancelled'];

function customer(g: Generators): Record<string, unknown> {
  const language = g.chance(0.5) ? 'vi' : 'en';
  const name = g.name(language).value;
  const birth = g.birthDate(language);
  const record: Record<string, unknown> = {
    id: `CUS-${g.digits(6)}`,
    full_name: name,
    email: g.email(name).value,
    phone: g.phone(language).value,
    address: g.address(language).value,
    date_of_birth: birth.value.value,
  };
  if (language === 'vi' && g.chance(0.5)) record.cccd = g.cccd(birth.year, birth.female).value;
  if (g.chance(0.2)) record.card = generateCard(g.rng).value;
  record.orders = Array.from({ length: g.int(1, 4) }, () => ({
    order_id: g.orderNumber(),
    sku: g.productCode(),
    price: language === 'vi' ? g.priceVi() : g.priceEn(),
    status: g.pick(STATUSES),
    created_at: g.timestamp(),
  }));
  record.notes = g.pick(language === 'vi' ? SENTENCES_VI : SENTENCES_EN);
  return record;
}

function jsonRecords(g: Generators): string {
  return JSON.stringify(
    Array.from({ length: g.int(2, 12) }, () => customer(g)),
    null,
    g.chance(0.5) ? 2 : undefined,
  );
}

function email(g: Generators): string {
  const language = g.chance(0.5) ? 'vi' : 'en';
  const sender = g.name(language).value;
  const sentences = language === 'vi' ? SENTENCES_VI : SENTENCES_EN;
  const body = Array.from({ length: g.int(3, 12) }, () => g.pick(sentences));
  body.splice(
    g.int(0, body.length),
    0,
    language === 'vi'
      ? `Số điện thoại liên hệ: ${g.phone('vi').value}.`
      : `You can call me at ${g.phone('en').value}.`,
  );
  if (g.chance(0.3))
    body.push(
      language === 'vi'
        ? `Địa chỉ giao hàng: ${g.address('vi').value}.`
        : `Shipping address: ${g.address('en').value}.`,
    );
  return [
    `From: ${sender} <${g.email(sender).value}>`,
    `To: ${g.email().value}`,
    `Date: ${g.timestamp()}`,
    `Subject: Re: ${language === 'vi' ? 'Đơn hàng' : 'Order'} ${g.orderNumber()}`,
    '',
    language === 'vi' ? `Chào ${g.name('vi').value},` : `Hi ${g.name('en').value},`,
    '',
    body.join(' '),
    '',
    language === 'vi' ? 'Trân trọng,' : 'Best regards,',
    sender,
  ].join('\n');
}

function markdownTable(g: Generators): string {
  const rows = ['| Order | Customer | Phone | Amount | Status | Date |', '|---|---|---|---|---|---|'];
  for (let index = g.int(10, 40); index > 0; index--) {
    const language = g.chance(0.5) ? 'vi' : 'en';
    rows.push(
      `| ${g.orderNumber()} | ${g.name(language).value} | ${g.phone(language).value} | ${language === 'vi' ? g.priceVi() : g.priceEn()} | ${g.pick(STATUSES)} | ${g.timestamp()} |`,
    );
  }
  return rows.join('\n');
}

function csvExport(g: Generators): string {
  const lines = ['id,name,email,phone,city_address,created_at'];
  for (let index = g.int(10, 40); index > 0; index--) {
    const language = g.chance(0.5) ? 'vi' : 'en';
    const name = g.name(language).value;
    lines.push(
      `${g.digits(7)},"${name}",${g.email(name).value},${g.phone(language).value},"${g.address(language).value}",${g.timestamp()}`,
    );
  }
  return lines.join('\n');
}

/** Bytes of `text` in UTF-8. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** One document of the speed corpus and what kind of tool result it is. */
export interface CorpusDocument {
  kind: 'json records' | 'e-mail' | 'markdown table' | 'csv export' | 'dataset context';
  text: string;
}

/**
 * About `targetBytes` of tool results: a third JSON records, the rest e-mails, tables, CSV exports
 * and third-party contexts (`external`, cycled) in turn.
 */
export function buildSpeedCorpus(
  targetBytes: number,
  external: readonly string[],
  seed = 4242,
): CorpusDocument[] {
  const g = new Generators(seed);
  const documents: CorpusDocument[] = [];
  let bytes = 0;
  let externalIndex = 0;
  for (let index = 0; bytes < targetBytes; index++) {
    let document: CorpusDocument;
    switch (index % 6) {
      case 0:
      case 1:
        document = { kind: 'json records', text: jsonRecords(g) };
        break;
      case 2:
        document = { kind: 'e-mail', text: email(g) };
        break;
      case 3:
        document =
          index % 12 === 3
            ? { kind: 'markdown table', text: markdownTable(g) }
            : { kind: 'csv export', text: csvExport(g) };
        break;
      default:
        document =
          external.length > 0
            ? { kind: 'dataset context', text: external[externalIndex++ % external.length] as string }
            : { kind: 'e-mail', text: email(g) };
    }
    documents.push(document);
    bytes += utf8Bytes(document.text);
  }
  return documents;
}

/** `count` tool results of exactly `size` characters, cut from JSON records, e-mails and tables. */
export function buildFixedSizeResults(count: number, size: number, seed = 777): string[] {
  const g = new Generators(seed);
  const makers = [jsonRecords, email, markdownTable];
  return Array.from({ length: count }, (_, index) => {
    const maker = makers[index % makers.length] as (generators: Generators) => string;
    let text = '';
    while (text.length < size) text += (text === '' ? '' : '\n') + maker(g);
    return text.slice(0, size);
  });
}
