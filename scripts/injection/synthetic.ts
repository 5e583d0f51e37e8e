/**
 * Synthetic tool outputs for the injection training script: ordinary results of real tools (JSON
 * records, emails, chat, logs, CSV and markdown tables, READMEs and API docs, code, search
 * results, error messages, short values) in English and Vietnamese as hard negatives, and the same
 * outputs with an attack planted at the start, middle or end of their free text as positives. The
 * dev set's benign rows are tables, invoice mails and code answers only, so without these the
 * classifier learns "prose = attack"; with them it has to learn the attack itself.
 *
 * Deterministic: one seed drives a mulberry32 stream and faker. The training and evaluation pools
 * differ in seed, in some families (evaluation-only kinds of output) and in part of the sentence
 * templates (one in five, chosen by hash, is evaluation-only).
 */
import { Faker, base, en, vi } from '@faker-js/faker';
import { fnv1a32 } from '../../src/inspect/injection/split.js';
import * as banks from './banks.js';

/** Which synthetic set: the one trained on, or the one only measured. */
export type Pool = 'train' | 'evaluation';

/** An attack string to plant: a dev-set (training split) attack or generated override phrasing. */
export interface AttackString {
  /** Groups folds: rows sharing an attack name never fall on both sides of a fold. */
  name: string;
  text: string;
  /** Code attacks (code to paste) go into code-like outputs and docs only. */
  shape: 'text' | 'code';
}

/** One synthetic row, shaped like the dev set's rows. */
export interface SyntheticRow {
  id: string;
  text: string;
  label: 0 | 1;
  kind: 'tool_output';
  source: string;
  category: string;
  meta: {
    /** Kind of output (family and entity), the context group for grouped folds. */
    context_group: string;
    attack_name?: string;
    attack_span?: [number, number];
    position?: Position;
  };
}

type Position = 'start' | 'middle' | 'end';
type Language = 'en' | 'vi';

const MARKER = 'QQXINJECTIONXQQ';
const REFERENCE_DATE = new Date('2025-06-01T00:00:00Z');

// --- randomness ----------------------------------------------------------------------------------

/** A seeded random stream with the few helpers the templates need. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }

  shuffle<T>(values: T[]): T[] {
    for (let index = values.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      const swap = values[index]!;
      values[index] = values[other]!;
      values[other] = swap;
    }
    return values;
  }
}

// --- the generator context -----------------------------------------------------------------------

/** Template of a bank in the evaluation-only share (one in five, by hash). */
function evaluationOnly(template: string): boolean {
  return fnv1a32(`pool|${template}`) % 5 === 0;
}

/** What a family renders with: randomness, fake values, sentence banks of the pool, and the marker. */
class Context {
  readonly random: Random;
  readonly faker: Record<Language, Faker>;
  language: Language = 'en';
  /** Whether this rendering must hold the marker exactly once. */
  inject = false;
  /** Where the marker went (set by the family or the prose helpers). */
  position: Position | undefined;
  /** How the attack is escaped where the marker stands. */
  escape: (text: string) => string = (text) => text;
  /** Whether the marker has been placed. */
  placed = false;
  private readonly pool: Pool;

  constructor(seed: number, pool: Pool) {
    this.random = new Random(seed);
    this.pool = pool;
    const english = new Faker({ locale: [en, base] });
    const vietnamese = new Faker({ locale: [vi, en, base] });
    english.seed(seed);
    vietnamese.seed(seed + 1);
    english.setDefaultRefDate(REFERENCE_DATE);
    vietnamese.setDefaultRefDate(REFERENCE_DATE);
    this.faker = { en: english, vi: vietnamese };
  }

  get fake(): Faker {
    return this.faker[this.language];
  }

  /** A template of `bank` for this pool: training never sees the evaluation-only share. */
  template(bank: readonly string[]): string {
    const train = bank.filter((template) => !evaluationOnly(template));
    if (this.pool === 'train') return this.random.pick(train);
    const heldOut = bank.filter(evaluationOnly);
    return heldOut.length > 0 && this.random.chance(0.5) ? this.random.pick(heldOut) : this.random.pick(bank);
  }

  /** A filled sentence from `bank`. */
  sentence(bank: readonly string[]): string {
    return this.fill(this.template(bank));
  }

  /** `count` filled sentences from `bank`, without repeats where the bank allows. */
  sentences(bank: readonly string[], count: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let attempt = 0; out.length < count && attempt < count * 4; attempt++) {
      const template = this.template(bank);
      if (seen.has(template)) continue;
      seen.add(template);
      out.push(this.fill(template));
    }
    return out;
  }

  /**
   * Places the marker among `parts` (sentences, lines, rows) when this rendering injects and the
   * marker is not placed yet: before the first, between two in the middle, or after the last.
   */
  place(parts: string[], marker = MARKER): string[] {
    if (!this.inject || this.placed) return parts;
    const position = this.position ?? this.random.pick(['start', 'middle', 'end'] as const);
    this.position = position;
    this.placed = true;
    const copy = [...parts];
    if (position === 'start') copy.unshift(marker);
    else if (position === 'end') copy.push(marker);
    else copy.splice(Math.max(1, Math.min(copy.length - 1, this.random.int(1, copy.length - 1))), 0, marker);
    return copy;
  }

  /** A paragraph of `count` sentences from `bank`, with the marker if this rendering injects. */
  paragraph(bank: readonly string[], count: number): string {
    return this.place(this.sentences(bank, count)).join(' ');
  }

  /** Free text for a record field: 1–3 note sentences, or the marker in the middle of them. */
  notes(count = this.random.int(1, 3)): string {
    return this.paragraph(this.language === 'vi' ? banks.NOTES_VI : banks.NOTES_EN, count);
  }

  /** Fills `{slot}` placeholders with fake values. */
  fill(template: string): string {
    return template
      .replace(/\[([^\]]*\|[^\]]*)\]/g, (_, choices: string) => this.random.pick(choices.split('|')))
      .replace(/\{(\w+)\}/g, (_, slot: string) => this.value(slot));
  }

  /** A fake value for a slot name. */
  value(slot: string): string {
    const f = this.fake;
    const r = this.random;
    switch (slot) {
      case 'name':
      case 'name2':
      case 'name3':
        return f.person.fullName();
      case 'company':
        return f.company.name();
      case 'city':
        return f.location.city();
      case 'street':
        return f.location.streetAddress();
      case 'channel':
        return r.pick(['email', 'phone', 'Zalo', 'WhatsApp', 'SMS', 'Slack', 'Teams']);
      case 'month':
        return r.pick([
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
        ]);
      case 'monthNumber':
        return String(r.int(1, 12));
      case 'weekday':
        return r.pick(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']);
      case 'weekdayVi':
        return r.pick(['thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu']);
      case 'year':
        return String(r.int(2012, 2024));
      case 'days':
        return String(r.pick([7, 14, 15, 30, 45, 60]));
      case 'count':
      case 'count2':
        return String(r.int(2, 120));
      case 'quarter':
        return String(r.int(1, 4));
      case 'product':
        return f.commerce.productName();
      case 'team':
        return r.pick(['sales', 'finance', 'support', 'marketing', 'engineering', 'operations', 'HR']);
      case 'order':
        return `${r.pick(['ORD-', 'SO-', '#', 'DH'])}${r.int(10000, 999999)}`;
      case 'ticket':
        return `${r.pick(['TCK-', 'SUP-', '#', 'INC'])}${r.int(1000, 99999)}`;
      case 'payment':
        return `pay_${f.string.alphanumeric(14)}`;
      case 'date':
        return f.date.soon({ days: 90 }).toISOString().slice(0, 10);
      case 'dateVi': {
        const date = f.date.soon({ days: 90 });
        return `${date.getUTCDate()}/${date.getUTCMonth() + 1}/${date.getUTCFullYear()}`;
      }
      case 'time':
        return `${r.int(8, 17)}:${r.pick(['00', '15', '30', '45'])}`;
      case 'room':
        return r.pick(['3A', 'B2', 'Saigon', 'Hanoi', '401', 'Blue']);
      case 'amount':
        return `${r.pick(['$', '€', '£'])}${(r.int(500, 9_999_999) / 100).toFixed(2)}`;
      case 'amountVnd':
        return `${(r.int(1, 5000) * 10_000).toLocaleString('vi-VN')} đ`;
      case 'vendor':
        return r.pick(['Okta', 'Azure AD', 'Google Workspace', 'Keycloak', 'OneLogin']);
      case 'tracking':
        return `${r.pick(['1Z', 'VN', 'JT'])}${f.string.numeric(12)}`;
      case 'cmd':
        return r.pick([
          'npm install',
          'npm run build',
          'make setup',
          'pip install -r requirements.txt',
          'docker compose up -d',
          'go mod download',
          'npx prisma migrate deploy',
          'cargo build --release',
        ]);
      case 'env':
        return r.pick([
          'DATABASE_URL',
          'API_KEY',
          'NODE_ENV',
          'PORT',
          'REDIS_URL',
          'LOG_LEVEL',
          'SECRET_KEY',
          'AWS_REGION',
        ]);
      case 'fn':
      case 'fn2':
        return r.pick([
          'fetchUser',
          'parseConfig',
          'readlines',
          'strip',
          'createClient',
          'useEffect',
          'json',
          'connect',
          'getItem',
          'format',
          'split',
          'request',
        ]);
      case 'nodeVersion':
        return r.pick(['18', '20', '22']);
      case 'port':
        return String(r.pick([3000, 8080, 5432, 6379, 8000, 5173, 9000]));
      case 'major':
        return String(r.int(1, 5));
      case 'version':
        return `${r.int(0, 9)}.${r.int(0, 30)}.${r.int(0, 20)}`;
      case 'resource':
        return r.pick(['users', 'orders', 'invoices', 'customers', 'projects', 'tickets', 'payments']);
      case 'key':
        return `${r.pick(['user', 'session', 'cart', 'rate'])}:${f.string.alphanumeric(8)}`;
      case 'job':
        return r.pick(['nightly-report', 'sync-contacts', 'cleanup-sessions', 'invoice-reminders', 'backup']);
      case 'ms':
        return String(r.int(3, 9000));
      case 'client':
        return f.internet.ipv4();
      case 'file':
        return f.system.filePath();
      case 'field':
        return r.pick(['id', 'name', 'email', 'length', 'data', 'map', 'user_id', 'total']);
      case 'word':
        return f.lorem.word();
      case 'pkg':
        return r.pick([
          'requests',
          'numpy',
          'express',
          'lodash',
          'pandas',
          'axios',
          'react',
          'fastify',
          'zod',
          'flask',
        ]);
      case 'user':
        return f.internet.username();
      case 'host':
        return f.internet.domainName();
      case 'topic':
        return r.pick(banks.TOPICS_EN);
      case 'topicVi':
        return r.pick(banks.TOPICS_VI);
      case 'evilEmail':
        return r.chance(0.3)
          ? `${f.internet.username().toLowerCase()}@${r.pick(['evil.example', 'attacker.example', 'mail-secure.example'])}`
          : f.internet.email().toLowerCase();
      case 'evilUrl':
        return r.chance(0.3)
          ? `https://${r.pick(['evil.example', 'collect.example'])}/${f.lorem.word()}`
          : f.internet.url();
      case 'iban':
        return f.finance.iban();
      case 'account':
        return `${f.string.numeric(r.int(9, 14))} (${r.pick(['Vietcombank', 'Techcombank', 'ACB', 'BIDV', 'MB Bank'])})`;
      case 'service':
        return r.pick([
          'Facebook',
          'Google',
          'Dropbox',
          'GitHub',
          'Netflix',
          'Zalo',
          'Shopee',
          f.company.name(),
        ]);
      case 'code':
        return f.string.numeric(6);
      case 'link': {
        const url = `https://${r.pick(['accounts.', 'auth.', 'id.', 'www.', ''])}${f.internet.domainName()}/${r.pick(['auth/password-reset', 'verify', 'confirm-email', 'invite', 'unsubscribe', 'account/security'])}${r.pick(['?token=', '/', '?t=', '?code='])}${f.string.alphanumeric(r.int(8, 24))}`;
        return r.chance(0.4)
          ? `[${r.pick(['Reset Password', 'Verify email', 'Confirm', 'Accept invitation', 'Review activity', 'Đặt lại mật khẩu'])}](${url})`
          : url;
      }
      default:
        throw new Error(`synthetic templates: unknown slot {${slot}}`);
    }
  }
}

// --- families ------------------------------------------------------------------------------------

/** One kind of tool output. `render` returns the text, with the marker once when `context.inject`. */
interface Family {
  name: string;
  pools: readonly Pool[];
  languages: readonly Language[];
  /** Relative frequency. */
  weight: number;
  /** Whether an attack can be planted (short values cannot hold one). */
  injectable: boolean;
  /** Whether a code attack fits (code, docs, answers). */
  code: boolean;
  render: (context: Context) => { text: string; group: string };
}

const BOTH: readonly Pool[] = ['train', 'evaluation'];
const EVALUATION: readonly Pool[] = ['evaluation'];
const jsonEscape = (text: string): string => JSON.stringify(text).slice(1, -1);

type Entity = Record<string, unknown>;

/** Record makers by entity; each may put the marker into its free-text field. */
const ENTITIES: Record<
  string,
  { pools: readonly Pool[]; make: (context: Context, index: number) => Entity }
> = {
  customer: {
    pools: BOTH,
    make: (c, index) => {
      const f = c.fake;
      const name = f.person.fullName();
      return {
        id: `c-${1000 + index + c.random.int(0, 8000)}`,
        name,
        email: f.internet.email({ firstName: name.split(' ')[0] }).toLowerCase(),
        phone: f.phone.number(),
        company: f.company.name(),
        address: `${f.location.streetAddress()}, ${f.location.city()}`,
        created_at: f.date.past({ years: 3 }).toISOString(),
        tags: c.random
          .shuffle(['vip', 'newsletter', 'b2b', 'trial', 'churn-risk', 'partner'])
          .slice(0, c.random.int(0, 3)),
        notes: c.notes(),
      };
    },
  },
  order: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      const items = Array.from({ length: c.random.int(1, 3) }, () => ({
        sku: f.string.alphanumeric({ length: 8, casing: 'upper' }),
        name: f.commerce.productName(),
        quantity: c.random.int(1, 5),
        unit_price: Number(f.commerce.price()),
      }));
      return {
        order_id: c.value('order'),
        customer: { name: f.person.fullName(), email: f.internet.email().toLowerCase() },
        status: c.random.pick(['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded']),
        items,
        total: items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0).toFixed(2),
        currency: c.language === 'vi' ? 'VND' : c.random.pick(['USD', 'EUR', 'GBP']),
        shipping_address: `${f.location.streetAddress()}, ${f.location.city()}`,
        comment: c.notes(c.random.int(1, 2)),
      };
    },
  },
  payment: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      return {
        id: c.value('payment'),
        amount: c.random.int(100, 5_000_000),
        currency: c.language === 'vi' ? 'vnd' : 'usd',
        status: c.random.pick(['succeeded', 'pending', 'failed', 'refunded']),
        method: {
          type: 'card',
          brand: c.random.pick(['visa', 'mastercard', 'amex']),
          last4: f.string.numeric(4),
        },
        customer_email: f.internet.email().toLowerCase(),
        invoice: `INV-${c.random.int(2024, 2025)}-${c.random.int(1000, 9999)}`,
        description: c.notes(1),
        created: c.random.int(1_700_000_000, 1_750_000_000),
      };
    },
  },
  account: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      return {
        account_id: f.string.uuid(),
        username: f.internet.username(),
        display_name: f.person.fullName(),
        role: c.random.pick(['admin', 'member', 'viewer', 'billing']),
        mfa_enabled: c.random.chance(0.6),
        last_login: f.date.recent({ days: 30 }).toISOString(),
        bank_account: c.language === 'vi' ? c.value('account') : f.finance.iban(),
        bio: c.notes(1),
      };
    },
  },
  ticket: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      return {
        ticket: c.value('ticket'),
        subject:
          c.language === 'vi'
            ? c.random.pick([
                'Không đăng nhập được',
                'Hỏi về hóa đơn',
                'Yêu cầu hoàn tiền',
                'Lỗi khi thanh toán',
              ])
            : c.random.pick([
                'Cannot log in',
                'Question about my invoice',
                'Refund request',
                'Payment failed',
                'Feature request: export to CSV',
                'App crashes on start',
              ]),
        requester: f.internet.email().toLowerCase(),
        priority: c.random.pick(['low', 'normal', 'high', 'urgent']),
        status: c.random.pick(['open', 'pending', 'solved']),
        description: c.paragraph(c.language === 'vi' ? banks.EMAIL_VI : banks.EMAIL_EN, c.random.int(2, 4)),
        assignee: f.person.fullName(),
      };
    },
  },
  event: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      const start = f.date.soon({ days: 30 });
      return {
        id: f.string.alphanumeric(20).toLowerCase(),
        summary:
          c.language === 'vi'
            ? c.random.pick(['Họp giao ban', 'Gặp khách hàng', 'Đào tạo nội bộ', 'Review dự án'])
            : c.random.pick([
                'Weekly sync',
                'Client meeting',
                'Quarterly review',
                'Onboarding session',
                '1:1',
                'Budget planning',
              ]),
        start: start.toISOString(),
        end: new Date(start.getTime() + 3_600_000).toISOString(),
        location: c.random.chance(0.5)
          ? `${f.location.streetAddress()}, ${f.location.city()}`
          : 'https://meet.example.com/abc-defg-hij',
        attendees: Array.from({ length: c.random.int(1, 4) }, () => f.internet.email().toLowerCase()),
        description: c.notes(c.random.int(1, 2)),
      };
    },
  },
  file: {
    pools: BOTH,
    make: (c) => {
      const f = c.fake;
      return {
        name: f.system.fileName(),
        path: f.system.filePath(),
        size: c.random.int(10, 90_000_000),
        mime_type: f.system.mimeType(),
        modified: f.date.recent({ days: 90 }).toISOString(),
        owner: f.internet.email().toLowerCase(),
        shared: c.random.chance(0.3),
        description: c.inject || c.random.chance(0.5) ? c.notes(1) : '',
      };
    },
  },
  product: {
    pools: EVALUATION,
    make: (c) => {
      const f = c.fake;
      return {
        sku: f.string.alphanumeric({ length: 10, casing: 'upper' }),
        title: f.commerce.productName(),
        price: f.commerce.price(),
        stock: c.random.int(0, 500),
        category: f.commerce.department(),
        description: `${f.commerce.productDescription()} ${c.notes(1)}`,
      };
    },
  },
  shipment: {
    pools: EVALUATION,
    make: (c) => {
      const f = c.fake;
      return {
        tracking_number: c.value('tracking'),
        carrier: c.random.pick(['UPS', 'DHL', 'GHN', 'Viettel Post', 'FedEx']),
        status: c.random.pick(['in_transit', 'out_for_delivery', 'delivered', 'exception']),
        events: Array.from({ length: c.random.int(1, 4) }, () => ({
          at: f.date.recent({ days: 10 }).toISOString(),
          location: f.location.city(),
          message: c.random.pick([
            'Arrived at facility',
            'Departed facility',
            'Out for delivery',
            'Delivered, signed by recipient',
          ]),
        })),
        delivery_note: c.notes(1),
      };
    },
  },
  employee: {
    pools: EVALUATION,
    make: (c) => {
      const f = c.fake;
      return {
        employee_id: `E${c.random.int(10000, 99999)}`,
        full_name: f.person.fullName(),
        title: f.person.jobTitle(),
        department: c.value('team'),
        manager: f.person.fullName(),
        start_date: f.date.past({ years: 8 }).toISOString().slice(0, 10),
        work_email: f.internet.email().toLowerCase(),
        remarks: c.notes(1),
      };
    },
  },
};

function jsonFamily(entity: string): Family {
  const maker = ENTITIES[entity]!;
  return {
    name: `json-${entity}`,
    pools: maker.pools,
    languages: ['en', 'vi'],
    weight: 2,
    injectable: true,
    code: false,
    render: (c) => {
      c.escape = jsonEscape;
      const shape = c.random.pick(['one', 'one', 'list', 'page'] as const);
      const count = shape === 'one' ? 1 : c.random.int(2, 4);
      // The marker goes into one record: render the others without it.
      const target = c.random.int(0, count - 1);
      const wanted = c.inject;
      const records: Entity[] = [];
      for (let index = 0; index < count; index++) {
        c.inject = wanted && index === target;
        records.push(maker.make(c, index));
      }
      c.inject = wanted;
      const value: unknown =
        shape === 'one'
          ? records[0]
          : shape === 'list'
            ? records
            : {
                data: records,
                has_more: c.random.chance(0.5),
                next_cursor: c.random.chance(0.5) ? c.fake.string.alphanumeric(16) : null,
              };
      const text = JSON.stringify(value, null, c.random.chance(0.5) ? 2 : undefined);
      return { text, group: `json-${entity}` };
    },
  };
}

const emailFamily: Family = {
  name: 'email',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 3,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const vi = c.language === 'vi';
    const bank = vi ? banks.EMAIL_VI : banks.EMAIL_EN;
    const greeting = vi
      ? c.random.pick(['Chào anh/chị,', `Chào ${f.person.firstName()},`, 'Kính gửi Quý khách,'])
      : c.random.pick([`Hi ${f.person.firstName()},`, 'Hello,', `Dear ${f.person.fullName()},`, 'Hi team,']);
    const body = c.place(c.sentences(bank, c.random.int(2, 6)));
    const signature = `${vi ? 'Trân trọng' : 'Best regards'},\n${f.person.fullName()}\n${f.company.name()}`;
    const style = c.random.pick(['headers', 'pipes', 'plain'] as const);
    const subject = c.sentence(bank).slice(0, 60);
    const paragraphs = c.random.chance(0.5) ? body.join(' ') : body.join('\n\n');
    const from = `${f.person.fullName()} <${f.internet.email().toLowerCase()}>`;
    let text: string;
    if (style === 'headers')
      text = `From: ${from}\nTo: ${f.internet.email().toLowerCase()}\nSubject: ${subject}\nDate: ${f.date.recent({ days: 20 }).toUTCString()}\n\n${greeting}\n\n${paragraphs}\n\n${signature}`;
    else if (style === 'pipes')
      text = `SUBJECT: ${subject}|EMAIL_FROM: ${from}|RECEIVED DATE: ${f.date.recent({ days: 20 }).toUTCString()}|CONTENT: ${greeting} ${paragraphs} ${signature}`;
    else text = `${greeting}\n\n${paragraphs}\n\n${signature}`;
    return { text, group: `email-${style}` };
  },
};

const chatFamily: Family = {
  name: 'chat',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const people = [f.person.firstName(), f.person.firstName(), f.person.firstName()];
    const bank = c.language === 'vi' ? banks.CHAT_VI : banks.CHAT_EN;
    const count = c.random.int(2, 8);
    const lines = c.sentences(bank, count);
    const marked = c.place(lines);
    const json = c.random.chance(0.3);
    if (json) {
      c.escape = jsonEscape;
      const messages = marked.map((message) => ({
        user: c.random.pick(people),
        ts: f.date.recent({ days: 2 }).toISOString(),
        text: message,
      }));
      return {
        text: JSON.stringify(
          { channel: `#${c.value('team')}`, messages },
          null,
          c.random.chance(0.5) ? 2 : undefined,
        ),
        group: 'chat-json',
      };
    }
    const text = marked
      .map((message) => `[${c.value('time')}] ${c.random.pick(people)}: ${message}`)
      .join('\n');
    return { text, group: 'chat-lines' };
  },
};

const logFamily: Family = {
  name: 'logs',
  pools: BOTH,
  languages: ['en'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const count = c.random.int(3, 14);
    const json = c.random.chance(0.4);
    const lines: string[] = [];
    for (let index = 0; index < count; index++) {
      const level = c.random.pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR']);
      const at = f.date.recent({ days: 1 }).toISOString();
      const message = c.sentence(banks.LOGS_EN);
      const service = c.random.pick(['api', 'worker', 'billing', 'auth', 'gateway']);
      if (json)
        lines.push(
          JSON.stringify({
            level: level.toLowerCase(),
            time: at,
            service,
            msg: message,
            request_id: f.string.uuid(),
          }),
        );
      else
        lines.push(
          `${at} ${level.padEnd(5)} [${service}] ${message} request_id=${f.string.alphanumeric(12)}`,
        );
    }
    if (c.inject) {
      // An attack planted in logged user input (a comment field, a search query, a user agent).
      const at = f.date.recent({ days: 1 }).toISOString();
      const field = c.random.pick(['comment', 'query', 'user_agent', 'note', 'message']);
      const line = json
        ? JSON.stringify({ level: 'info', time: at, service: 'api', msg: 'form submitted', [field]: MARKER })
        : `${at} INFO  [api] form submitted ${field}="${MARKER}"`;
      c.escape = json ? jsonEscape : (text) => text.replace(/"/g, '\\"').replace(/\n/g, '\\n');
      return { text: c.place(lines, line).join('\n'), group: json ? 'logs-json' : 'logs-text' };
    }
    return { text: lines.join('\n'), group: json ? 'logs-json' : 'logs-text' };
  },
};

/** Rows of a table: header cells and row cells, from customer/order-like data. */
function tableRows(c: Context, count: number): { header: string[]; rows: string[][]; notesColumn: number } {
  const f = c.fake;
  const kind = c.random.pick(['customers', 'invoices', 'inventory', 'sales'] as const);
  const vi = c.language === 'vi';
  if (kind === 'customers') {
    const header = vi
      ? ['Mã KH', 'Họ tên', 'Email', 'Điện thoại', 'Ghi chú']
      : ['ID', 'Name', 'Email', 'Phone', 'Notes'];
    const rows = Array.from({ length: count }, (_, index) => [
      `C${1000 + index}`,
      f.person.fullName(),
      f.internet.email().toLowerCase(),
      f.phone.number(),
      c.random.chance(0.5) ? c.sentence(vi ? banks.NOTES_VI : banks.NOTES_EN) : '',
    ]);
    return { header, rows, notesColumn: 4 };
  }
  if (kind === 'invoices') {
    const header = vi
      ? ['Số HĐ', 'Khách hàng', 'Ngày', 'Số tiền', 'Trạng thái', 'Ghi chú']
      : ['Invoice', 'Customer', 'Date', 'Amount', 'Status', 'Memo'];
    const rows = Array.from({ length: count }, () => [
      `INV-${c.random.int(1000, 9999)}`,
      f.company.name(),
      f.date.recent({ days: 60 }).toISOString().slice(0, 10),
      vi ? c.value('amountVnd') : c.value('amount'),
      c.random.pick(
        vi ? ['Đã thanh toán', 'Chưa thanh toán', 'Quá hạn'] : ['Paid', 'Open', 'Overdue', 'Void'],
      ),
      c.random.chance(0.4) ? c.sentence(vi ? banks.NOTES_VI : banks.NOTES_EN) : '',
    ]);
    return { header, rows, notesColumn: 5 };
  }
  if (kind === 'inventory') {
    const header = ['SKU', 'Product', 'Warehouse', 'Qty', 'Reorder level', 'Comment'];
    const rows = Array.from({ length: count }, () => [
      f.string.alphanumeric({ length: 6, casing: 'upper' }),
      f.commerce.productName(),
      f.location.city(),
      String(c.random.int(0, 900)),
      String(c.random.int(5, 50)),
      c.random.chance(0.3) ? c.sentence(banks.NOTES_EN) : '',
    ]);
    return { header, rows, notesColumn: 5 };
  }
  const header = ['Region', 'Rep', 'Q1', 'Q2', 'Q3', 'Q4', 'Comment'];
  const rows = Array.from({ length: count }, () => [
    f.location.state(),
    f.person.fullName(),
    ...[0, 0, 0, 0].map(() => String(c.random.int(1000, 99999))),
    c.random.chance(0.3) ? c.sentence(banks.NOTES_EN) : '',
  ]);
  return { header, rows, notesColumn: 6 };
}

const csvFamily: Family = {
  name: 'csv',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const { header, rows, notesColumn } = tableRows(c, c.random.int(2, 12));
    const cell = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    if (c.inject) {
      const row = rows[c.random.int(0, rows.length - 1)]!;
      row[notesColumn] = MARKER;
      c.placed = true;
      c.position = c.random.pick(['start', 'middle', 'end']);
      c.escape = (text) => text.replace(/"/g, '""');
      return {
        text: [header, ...rows]
          .map((cells) => cells.map((value) => (value === MARKER ? `"${MARKER}"` : cell(value))).join(','))
          .join('\n'),
        group: 'csv',
      };
    }
    return { text: [header, ...rows].map((cells) => cells.map(cell).join(',')).join('\n'), group: 'csv' };
  },
};

const markdownTableFamily: Family = {
  name: 'markdown-table',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const r = c.random;
    const { header, rows, notesColumn } = tableRows(c, r.int(2, 12));
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    // an attack in a cell, or on a line of its own between rows or next to the table
    const ownLine = c.inject && r.chance(0.5);
    if (c.inject && !ownLine) {
      const row = rows[r.int(0, rows.length - 1)]!;
      row[notesColumn] = MARKER;
      c.placed = true;
      c.position = r.pick(['start', 'middle', 'end']);
      c.escape = (text) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
    }
    let lines = [line(header), line(header.map(() => '---')), ...rows.map(line)];
    // what people write around a table: a question it answers, a note to the reader, a sign-off
    if (r.chance(0.35)) {
      const column = header[r.int(0, header.length - 1)] as string;
      const bank = c.language === 'vi' ? banks.TABLE_LINES_VI : banks.TABLE_LINES_EN;
      const around = c.fill(c.template(bank).replace('{column}', column));
      lines = r.chance(0.5) ? [around, '', ...lines] : [...lines, '', around];
    }
    if (ownLine) lines = c.place(lines);
    return { text: lines.join('\n'), group: 'markdown-table' };
  },
};

const readmeFamily: Family = {
  name: 'readme',
  pools: BOTH,
  languages: ['en', 'en', 'en', 'vi'],
  weight: 3,
  injectable: true,
  code: true,
  render: (c) => {
    const f = c.fake;
    const vi = c.language === 'vi';
    const bank = vi ? banks.DOCS_VI : banks.DOCS_EN;
    const name = `${f.hacker.adjective()}-${f.hacker.noun()}`.toLowerCase().replace(/\s+/g, '-');
    const sections: string[] = [];
    sections.push(`# ${name}\n\n${f.company.catchPhrase()}. ${c.sentences(bank, 1).join(' ')}`);
    sections.push(
      `## ${vi ? 'Cài đặt' : 'Installation'}\n\n${c.sentence(bank)}\n\n\`\`\`sh\n${c.value('cmd')}\n\`\`\``,
    );
    sections.push(
      `## ${vi ? 'Sử dụng' : 'Usage'}\n\n${c.sentences(bank, c.random.int(1, 3)).join(' ')}\n\n\`\`\`js\nimport { ${c.value('fn')} } from '${name}';\n\nconst result = await ${c.value('fn')}({ url: '${f.internet.url()}' });\nconsole.log(result);\n\`\`\``,
    );
    if (c.random.chance(0.6)) {
      const steps = c.sentences(bank, c.random.int(2, 5)).map((step, index) => `${index + 1}. ${step}`);
      sections.push(`## ${vi ? 'Cấu hình' : 'Configuration'}\n\n${steps.join('\n')}`);
    }
    if (c.random.chance(0.5))
      sections.push(
        `## ${vi ? 'Đóng góp' : 'Contributing'}\n\n${c.sentences(bank, c.random.int(1, 3)).join(' ')}`,
      );
    if (c.random.chance(0.5)) sections.push(`## License\n\nMIT © ${f.person.fullName()}`);
    const placed = c.place(sections);
    return { text: placed.join('\n\n'), group: 'readme' };
  },
};

const apiDocFamily: Family = {
  name: 'api-doc',
  pools: BOTH,
  languages: ['en'],
  weight: 1.5,
  injectable: true,
  code: true,
  render: (c) => {
    const resource = c.value('resource');
    const method = c.random.pick(['GET', 'POST', 'PATCH', 'DELETE']);
    const parts = [
      `### ${method} /v1/${resource}${method === 'POST' ? '' : '/{id}'}`,
      c.sentences(banks.DOCS_EN, c.random.int(1, 3)).join(' '),
      `**Response**\n\n\`\`\`json\n${JSON.stringify({ id: `${resource.slice(0, 3)}_${c.fake.string.alphanumeric(10)}`, object: resource.slice(0, -1), created: c.random.int(1_700_000_000, 1_750_000_000) }, null, 2)}\n\`\`\``,
      c.sentences(banks.DOCS_EN, c.random.int(1, 2)).join(' '),
    ];
    return { text: c.place(parts).join('\n\n'), group: 'api-doc' };
  },
};

const answerFamily: Family = {
  name: 'answer',
  pools: BOTH,
  languages: ['en'],
  weight: 2,
  injectable: true,
  code: true,
  render: (c) => {
    const parts = c.sentences(banks.ANSWERS_EN, c.random.int(1, 3));
    if (c.random.chance(0.6)) parts.push(`\`\`\`\n${codeSnippet(c)}\n\`\`\``);
    if (c.random.chance(0.4)) parts.push(c.sentence(banks.ANSWERS_EN));
    return { text: c.place(parts).join(c.random.chance(0.5) ? '\n' : '\n\n'), group: 'answer' };
  },
};

/** A short code snippet in one of several languages. */
function codeSnippet(c: Context): string {
  const f = c.fake;
  const fn = c.value('fn');
  const field = c.value('field');
  const resource = c.value('resource');
  const url = f.internet.url();
  const snippets = [
    `async function ${fn}(id) {\n  const response = await fetch(\`${url}api/${resource}/\${id}\`);\n  if (!response.ok) throw new Error(\`HTTP \${response.status}\`);\n  return response.json();\n}`,
    `def ${fn}(path):\n    with open(path) as handle:\n        for line in handle:\n            yield line.strip()`,
    `const total = items\n  .filter((item) => item.${field} !== undefined)\n  .reduce((sum, item) => sum + item.price * item.quantity, 0);`,
    `SELECT c.id, c.name, SUM(o.total) AS revenue\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nWHERE o.created_at >= '${f.date.past().toISOString().slice(0, 10)}'\nGROUP BY c.id, c.name\nORDER BY revenue DESC\nLIMIT ${c.random.int(5, 50)};`,
    `func ${fn}(w http.ResponseWriter, r *http.Request) {\n\tid := r.URL.Query().Get("id")\n\tif id == "" {\n\t\thttp.Error(w, "missing id", http.StatusBadRequest)\n\t\treturn\n\t}\n\tjson.NewEncoder(w).Encode(map[string]string{"id": id})\n}`,
    `#!/usr/bin/env bash\nset -euo pipefail\nfor file in ./data/*.csv; do\n  echo "importing $file"\n  psql "$DATABASE_URL" -c "\\copy ${resource} FROM '$file' CSV HEADER"\ndone`,
    `import pandas as pd\n\ndf = pd.read_csv("${resource}.csv")\nprint(df.groupby("${field}").size().sort_values(ascending=False).head(10))`,
    `class ${fn.charAt(0).toUpperCase()}${fn.slice(1)}Service {\n  constructor(private readonly repository: Repository) {}\n\n  async find(id: string): Promise<${resource.charAt(0).toUpperCase()}${resource.slice(1, -1)} | undefined> {\n    return this.repository.findOne({ where: { id } });\n  }\n}`,
    `try:\n    value = int(raw_${field})\nexcept ValueError:\n    value = 0\nprint(f"{value=}")`,
    `const http = require('http');\n\nhttp.createServer((req, res) => {\n  res.setHeader('Content-Type', 'text/plain');\n  res.end('hello, world!');\n}).listen(${c.value('port')});`,
    `app.${c.random.pick(['get', 'post', 'use'])}('/${resource}', async (req, res) => {\n  const ${field} = req.body.${field};\n  res.json({ ok: true, ${field} });\n});`,
    `const ${fn} = require('${c.value('pkg')}');\n\n${fn}(${c.random.pick(['', "'key'", '{ strict: true }'])}).then((result) => console.log(result));`,
    `docker run -d --name ${resource} -p ${c.value('port')}:${c.value('port')} -e ${c.value('env')}=changeme ${c.value('pkg')}:latest`,
  ];
  return c.random.pick(snippets);
}

const codeFamily: Family = {
  name: 'code',
  pools: BOTH,
  languages: ['en'],
  weight: 2,
  injectable: true,
  code: true,
  render: (c) => {
    const lines = codeSnippet(c).split('\n');
    if (c.inject) {
      const style = c.random.pick(['hash', 'slashes', 'block'] as const);
      c.escape =
        style === 'hash'
          ? (text) => text.replace(/\n/g, '\n# ')
          : style === 'slashes'
            ? (text) => text.replace(/\n/g, '\n// ')
            : (text) => text.replace(/\*\//g, '* /');
      const marker =
        style === 'hash' ? `# ${MARKER}` : style === 'slashes' ? `// ${MARKER}` : `/* ${MARKER} */`;
      return { text: c.place(lines, marker).join('\n'), group: 'code' };
    }
    return { text: lines.join('\n'), group: 'code' };
  },
};

const searchFamily: Family = {
  name: 'search',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const bank = c.language === 'vi' ? banks.SEARCH_VI : banks.SEARCH_EN;
    const count = c.random.int(2, 6);
    const results = Array.from({ length: count }, () => ({
      title: `${f.company.name()} - ${f.commerce.productName()}`,
      url: f.internet.url(),
      snippet: c.sentence(bank),
    }));
    if (c.inject) {
      const target = results[c.random.int(0, count - 1)]!;
      target.snippet = c.random.chance(0.5) ? `${target.snippet} ${MARKER}` : MARKER;
      c.placed = true;
      c.position = c.random.pick(['start', 'middle', 'end']);
    }
    if (c.random.chance(0.4)) {
      c.escape = jsonEscape;
      return {
        text: JSON.stringify({ results }, null, c.random.chance(0.5) ? 2 : undefined),
        group: 'search-json',
      };
    }
    return {
      text: results
        .map((result, index) => `${index + 1}. ${result.title}\n   ${result.url}\n   ${result.snippet}`)
        .join('\n'),
      group: 'search-text',
    };
  },
};

const errorFamily: Family = {
  name: 'error',
  pools: BOTH,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const message = c.sentence(banks.ERRORS_EN);
    const frames = Array.from(
      { length: c.random.int(0, 5) },
      () =>
        `    at ${c.value('fn')} (${c.fake.system.filePath()}:${c.random.int(1, 400)}:${c.random.int(1, 80)})`,
    );
    if (c.inject) {
      const parts = c.place([message, ...frames], `Error: ${MARKER}`);
      return { text: parts.join('\n'), group: 'error' };
    }
    return { text: [message, ...frames].join('\n'), group: 'error' };
  },
};

const keyValueFamily: Family = {
  name: 'key-value',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const vi = c.language === 'vi';
    const pairs: [string, string][] = [
      [vi ? 'Họ tên' : 'Name', f.person.fullName()],
      ['Email', f.internet.email().toLowerCase()],
      [vi ? 'Điện thoại' : 'Phone', f.phone.number()],
      [vi ? 'Địa chỉ' : 'Address', `${f.location.streetAddress()}, ${f.location.city()}`],
      [vi ? 'Công ty' : 'Company', f.company.name()],
      [
        vi ? 'Trạng thái' : 'Status',
        c.random.pick(vi ? ['Đang hoạt động', 'Tạm dừng'] : ['active', 'suspended', 'trial']),
      ],
    ];
    c.random.shuffle(pairs);
    const kept = pairs.slice(0, c.random.int(2, pairs.length));
    kept.push([vi ? 'Ghi chú' : 'Notes', c.notes()]);
    return { text: kept.map(([key, value]) => `${key}: ${value}`).join('\n'), group: 'key-value' };
  },
};

/** Short values returned as a whole tool result: never injectable. */
const shortValueFamily: Family = {
  name: 'short-value',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 3,
  injectable: false,
  code: false,
  render: (c) => {
    const f = c.fake;
    const r = c.random;
    const vi = c.language === 'vi';
    const email = f.internet.email().toLowerCase();
    const values = [
      email,
      `${vi ? 'Liên hệ' : 'Contact'}: ${email}`,
      `${f.person.fullName()} <${email}>`,
      f.phone.number(),
      `${vi ? 'SĐT' : 'Phone'}: ${f.phone.number()}`,
      `${f.location.streetAddress()}, ${f.location.city()}`,
      f.person.fullName(),
      f.company.name(),
      f.string.uuid(),
      c.value('order'),
      c.value('ticket'),
      f.date.recent({ days: 200 }).toISOString(),
      c.value('amount'),
      c.value('amountVnd'),
      f.internet.url(),
      `${r.pick(['Status', 'State', vi ? 'Trạng thái' : 'Result'])}: ${r.pick(vi ? ['đã giao', 'đang xử lý', 'thành công'] : ['shipped', 'ok', 'pending', 'done', 'not found', 'success'])}`,
      r.pick([
        'OK',
        'true',
        'false',
        'null',
        '[]',
        '{}',
        'No results found.',
        'Deleted 1 row.',
        'Saved.',
        'Không tìm thấy kết quả.',
        'Đã lưu.',
      ]),
      `${f.person.fullName()}, ${f.person.jobTitle()} at ${f.company.name()}`,
      `${f.commerce.productName()} - ${c.value('amount')}`,
      JSON.stringify({ email }),
      JSON.stringify({ id: f.string.uuid(), status: r.pick(['ok', 'queued', 'sent']) }),
      `${c.value('count')} ${r.pick(['results', 'files', 'rows affected', 'messages'])}`,
      f.finance.iban(),
      f.location.city(),
      `${f.location.city()}, ${f.location.country()}`,
    ];
    return { text: r.pick(values), group: 'short-value' };
  },
};

/** One free-text field on its own, as the scanner scores each string of a JSON result apart. */
const fieldFamily: Family = {
  name: 'field',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 3,
  injectable: true,
  code: false,
  render: (c) => {
    const vi = c.language === 'vi';
    const kind = c.random.pick(['notes', 'email', 'chat', 'docs'] as const);
    const bank =
      kind === 'notes'
        ? vi
          ? banks.NOTES_VI
          : banks.NOTES_EN
        : kind === 'email'
          ? vi
            ? banks.EMAIL_VI
            : banks.EMAIL_EN
          : kind === 'chat'
            ? vi
              ? banks.CHAT_VI
              : banks.CHAT_EN
            : vi
              ? banks.DOCS_VI
              : banks.DOCS_EN;
    return { text: c.paragraph(bank, c.random.int(1, 3)), group: `field-${kind}` };
  },
};

/** Package documentation as registries serve it: badges, API reference, examples, licence. */
const packageDocsFamily: Family = {
  name: 'package-docs',
  pools: BOTH,
  languages: ['en'],
  weight: 4,
  injectable: true,
  code: true,
  render: (c) => {
    const f = c.fake;
    const name = c.value('pkg');
    const sections: string[] = [];
    if (c.random.chance(0.6)) {
      sections.push(
        `[![npm version](https://img.shields.io/npm/v/${name}.svg)](https://www.npmjs.com/package/${name})\n[![downloads](https://img.shields.io/npm/dm/${name}.svg)](https://www.npmjs.com/package/${name})`,
      );
    }
    sections.push(`# ${name}\n\n${f.company.catchPhrase()}. ${c.sentence(banks.API_REFERENCE_EN)}`);
    for (let entry = c.random.int(1, 4); entry > 0; entry--) {
      const fn = c.value('fn');
      const lines = c.sentences(banks.API_REFERENCE_EN, c.random.int(1, 4));
      const body = c.random.chance(0.5) ? lines.join('\n') : lines.join(' ');
      const example = c.random.chance(0.5) ? `\n\n\`\`\`js\n${codeSnippet(c)}\n\`\`\`` : '';
      sections.push(
        `### ${name}.${fn}(${c.random.pick(['', 'options', 'key, value', 'text, callback', 'input[, options]'])})\n\n${body}${example}`,
      );
    }
    if (c.random.chance(0.5)) {
      const start = c.random.int(0, banks.LICENSE_PARAGRAPHS.length - 2);
      sections.push(
        `## License\n\nCopyright (c) ${c.value('year')} ${f.person.fullName()}\n\n${banks.LICENSE_PARAGRAPHS.slice(start, start + c.random.int(1, 3)).join('\n\n')}`,
      );
    }
    return { text: c.place(sections).join('\n\n'), group: 'package-docs' };
  },
};

/** Help-centre questions with their answers. */
const supportArticleFamily: Family = {
  name: 'support-article',
  pools: ['train'],
  languages: ['en', 'en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const vi = c.language === 'vi';
    const questions = c.random
      .shuffle([...(vi ? banks.SUPPORT_QUESTIONS_VI : banks.SUPPORT_QUESTIONS_EN)])
      .slice(0, c.random.int(1, 4));
    const style = c.random.pick(['qa', 'heading', 'bold'] as const);
    const entries = questions.map((question) => {
      const answer = c
        .sentences(
          vi ? banks.EMAIL_VI : c.random.chance(0.5) ? banks.EMAIL_EN : banks.DOCS_EN,
          c.random.int(1, 3),
        )
        .join(' ');
      if (style === 'qa') return `Q: ${question}\nA: ${answer}`;
      if (style === 'heading') return `### ${question}\n\n${answer}`;
      return `**${question}**\n${answer}`;
    });
    return { text: c.place(entries).join('\n\n'), group: `support-article-${style}` };
  },
};

/** `git log --oneline` and commit messages. */
const gitLogFamily: Family = {
  name: 'git-log',
  pools: ['train'],
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const verbs = [
      'Fix',
      'Add',
      'Remove',
      'Update',
      'Refactor',
      'Bump',
      'Document',
      'Rename',
      'Use',
      'Handle',
      'Allow',
      'Avoid',
    ];
    const objects = [
      'typo in README',
      'retry on timeout',
      'support for Node 22',
      'the login form validation',
      'unused imports',
      'the CI cache key',
      'dependency versions',
      'a flaky test',
      'null check in parser',
      'config loading order',
      'logging of failed requests',
      'dark mode toggle',
    ];
    const lines = Array.from({ length: c.random.int(3, 12) }, () => {
      const subject = `${c.random.pick(verbs)} ${c.random.pick(objects)}${c.random.chance(0.3) ? ` (#${c.random.int(10, 2000)})` : ''}`;
      return `${c.fake.git.commitSha({ length: 7 })} ${subject}`;
    });
    return {
      text: c.place(lines, `${c.fake.git.commitSha({ length: 7 })} ${MARKER}`).join('\n'),
      group: 'git-log',
    };
  },
};

// --- evaluation-only families ------------------------------------------------------------------------

const issueCommentFamily: Family = {
  name: 'issue-comment',
  pools: EVALUATION,
  languages: ['en'],
  weight: 1.5,
  injectable: true,
  code: true,
  render: (c) => {
    const intro = c.random.pick([
      'Thanks for the report!',
      'I can reproduce this on main.',
      'Closing as fixed in the latest release.',
      'Any update on this?',
      '+1, same here on macOS.',
      'This is expected behaviour, see the docs.',
    ]);
    const parts = [
      intro,
      ...c.sentences(banks.ANSWERS_EN, c.random.int(1, 2)),
      `Version: ${c.value('version')}`,
    ];
    return { text: c.place(parts).join('\n\n'), group: 'issue-comment' };
  },
};

const changelogFamily: Family = {
  name: 'changelog',
  pools: EVALUATION,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const entries = Array.from({ length: c.random.int(3, 8) }, () =>
      `- ${c.random.pick(['Fix', 'Add', 'Remove', 'Update', 'Improve'])} ${c.random.pick(['support for', 'handling of', 'the default value of', 'docs for', 'tests for'])} ${c.value('fn')} ${c.random.pick(['', `(#${c.random.int(10, 999)})`])}`.trimEnd(),
    );
    const text = `## ${c.value('version')} (${c.value('date')})\n\n${c.place(entries, `- ${MARKER}`).join('\n')}`;
    return { text, group: 'changelog' };
  },
};

const yamlFamily: Family = {
  name: 'yaml-config',
  pools: EVALUATION,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: true,
  render: (c) => {
    const lines = [
      `service: ${c.value('resource')}`,
      `port: ${c.value('port')}`,
      'database:',
      `  url: postgres://app@db:5432/${c.value('resource')}`,
      `  pool: ${c.random.int(2, 20)}`,
      `log_level: ${c.random.pick(['info', 'debug', 'warn'])}`,
      'features:',
      `  - ${c.value('fn')}`,
      `  - ${c.value('fn')}`,
      `# ${c.sentence(banks.DOCS_EN)}`,
    ];
    if (c.inject) {
      c.escape = (text) => text.replace(/\n/g, '\n# ');
      return { text: c.place(lines, `# ${MARKER}`).join('\n'), group: 'yaml-config' };
    }
    return { text: lines.join('\n'), group: 'yaml-config' };
  },
};

const faqFamily: Family = {
  name: 'faq',
  pools: EVALUATION,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const questions = [
      'How do I reset my password?',
      'Can I change my plan later?',
      'Where can I find my invoices?',
      'What payment methods do you accept?',
      'How long does shipping take?',
      'Is my data encrypted?',
    ];
    const entries = c.random
      .shuffle([...questions])
      .slice(0, c.random.int(2, 4))
      .map((question) => `**${question}**\n${c.sentences(banks.EMAIL_EN, c.random.int(1, 2)).join(' ')}`);
    return { text: `# FAQ\n\n${c.place(entries).join('\n\n')}`, group: 'faq' };
  },
};

const ciOutputFamily: Family = {
  name: 'ci-output',
  pools: EVALUATION,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const lines = [
      `$ ${c.value('cmd')}`,
      `added ${c.random.int(10, 900)} packages in ${c.random.int(2, 60)}s`,
      `$ npm test`,
      ...Array.from(
        { length: c.random.int(2, 6) },
        () =>
          `  ${c.random.chance(0.9) ? '✔' : '✖'} ${c.value('fn')} ${c.random.pick(['returns the parsed body', 'rejects an empty id', 'retries on 503', 'handles unicode'])} (${c.random.int(1, 300)}ms)`,
      ),
      `tests ${c.random.int(10, 400)}, pass ${c.random.int(10, 400)}, fail ${c.random.int(0, 2)}`,
    ];
    return { text: c.place(lines).join('\n'), group: 'ci-output' };
  },
};

const smsFamily: Family = {
  name: 'sms',
  pools: EVALUATION,
  languages: ['en', 'vi'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const vi = c.language === 'vi';
    const messages = vi
      ? [
          `Ma xac thuc cua ban la ${c.fake.string.numeric(6)}. Khong chia se ma nay.`,
          `Don hang ${c.value('order')} dang duoc giao.`,
          `TK ${c.fake.string.numeric(4)} +${c.value('amountVnd')} luc ${c.value('time')}.`,
          c.sentence(banks.CHAT_VI),
        ]
      : [
          `Your verification code is ${c.fake.string.numeric(6)}. Do not share it.`,
          `Your order ${c.value('order')} is out for delivery.`,
          `Reminder: appointment on ${c.value('weekday')} at ${c.value('time')}. Reply C to cancel.`,
          c.sentence(banks.CHAT_EN),
        ];
    const picked = c.random.shuffle(messages).slice(0, c.random.int(1, 3));
    return { text: c.place(picked).join('\n'), group: 'sms' };
  },
};

/** A Q&A-site code answer: question, answer prose and ordinary code that touches the network, env or processes. */
const qaCodeFamily: Family = {
  name: 'qa-code',
  pools: BOTH,
  languages: ['en'],
  weight: 2,
  injectable: true,
  code: true,
  render: (c) => {
    const r = c.random;
    const code = c.fill(r.pick(banks.QA_CODE_SNIPPETS));
    const answer = [
      ...c.sentences(banks.QA_CODE_PROSE_EN, r.int(1, 2)),
      `\`\`\`\n${code}\n\`\`\``,
      ...c.sentences(banks.QA_CODE_PROSE_EN, r.int(0, 2)),
    ];
    const header = [
      `Question: ${r.pick(banks.QA_CODE_TITLES_EN)}`,
      c.sentences(banks.QA_CODE_BODIES_EN, r.int(1, 2)).join(' '),
      `Answer (${r.int(3, 4000)} votes):`,
    ];
    return { text: [...header, ...c.place(answer)].join('\n\n'), group: 'qa-code' };
  },
};

/** A help-centre page or a review about a product's AI assistant. */
const assistantHelpFamily: Family = {
  name: 'assistant-help',
  pools: BOTH,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const r = c.random;
    if (r.chance(0.5)) {
      const entries = r
        .shuffle([...banks.ASSISTANT_HELP_QUESTIONS_EN])
        .slice(0, r.int(2, 4))
        .map(
          (question) => `Q: ${question}\nA: ${c.sentences(banks.ASSISTANT_HELP_EN, r.int(1, 2)).join(' ')}`,
        );
      return {
        text: `Help centre - Using our AI assistant\n\n${c.place(entries).join('\n\n')}`,
        group: 'assistant-help',
      };
    }
    const review = c.paragraph(banks.ASSISTANT_HELP_EN, r.int(3, 5));
    return {
      text: `Review: ${c.fake.commerce.productName()} app\nRating: ${r.int(1, 5)}/5\n\n${review}`,
      group: 'assistant-help',
    };
  },
};

/** A safety notice, manual page or scam warning: orders to a human reader. */
const safetyNoticeFamily: Family = {
  name: 'safety-notice',
  pools: BOTH,
  languages: ['en'],
  weight: 1,
  injectable: true,
  code: false,
  render: (c) => {
    const r = c.random;
    const title = r.pick([
      'SAFETY INSTRUCTIONS - Read before first use',
      'Important safety information',
      'Security notice',
      `${c.fake.company.name()} - user guide`,
    ]);
    const lines = c
      .sentences(banks.SAFETY_NOTICE_EN, r.int(3, 6))
      .map((line) => (r.chance(0.5) ? `- ${line}` : line));
    return { text: `${title}\n\n${c.place(lines).join('\n')}`, group: 'safety-notice' };
  },
};

/**
 * Account and transactional mail (password resets, sign-in codes, verification links, invitations,
 * renewals), as a mail or as a mailbox tool's YAML dump of messages: text full of "click the link",
 * "ignore this e-mail if you did not ask" and codes, addressed to the person who owns the account.
 */
const accountMailFamily: Family = {
  name: 'account-mail',
  pools: BOTH,
  languages: ['en', 'vi'],
  weight: 1.5,
  injectable: true,
  code: false,
  render: (c) => {
    const f = c.fake;
    const r = c.random;
    const vi = c.language === 'vi';
    const bank = vi ? banks.ACCOUNT_MAIL_VI : banks.ACCOUNT_MAIL_EN;
    const greeting = vi
      ? r.pick([`Chào ${f.person.firstName()},`, 'Kính gửi Quý khách,', 'Xin chào,'])
      : r.pick([`Dear ${f.person.firstName()},`, `Hi ${f.person.firstName()},`, 'Hello,']);
    const service = c.value('service');
    const sign = vi
      ? `Trân trọng,\nĐội ngũ ${service}`
      : r.pick([`Thanks,\nThe ${service} team`, `Best,\n${service} Support`, `${service} Security`]);
    const body = c.place(c.sentences(bank, r.int(2, 4)));
    const text = `${greeting}\n\n${body.join(r.chance(0.5) ? ' ' : '\n\n')}\n\n${sign}`;
    const subject = vi
      ? r.pick([
          `Mã xác thực ${service}`,
          'Yêu cầu đặt lại mật khẩu',
          'Cảnh báo đăng nhập mới',
          'Xác nhận địa chỉ email',
        ])
      : r.pick([
          `Your ${service} security code`,
          `Your ${service} password reset request`,
          'New sign-in to your account',
          'Please confirm your email address',
          `You're invited to join ${f.company.name()}`,
        ]);
    if (r.chance(0.5))
      return {
        text: `Subject: ${subject}\nFrom: ${f.internet.email().toLowerCase()}\n\n${text}`,
        group: 'account-mail',
      };
    // a mailbox tool's YAML dump: the body as one double-quoted line with its escapes
    const others = Array.from({ length: r.int(0, 2) }, () => ({
      body: `${r.pick(['Hi', 'Hello'])} ${f.person.firstName()},\\n\\n${c.sentences(banks.EMAIL_EN, r.int(1, 3)).join(' ')}`,
      subject: c.sentence(banks.EMAIL_EN).slice(0, 50),
    }));
    const messages = r.shuffle([{ body: text.replace(/\n/g, '\\n'), subject }, ...others]);
    const yaml = messages.map(
      (message, index) =>
        `- attachments: []\n  body: "${message.body.replace(/"/g, '\\"')}"\n  id_: '${r.int(1, 40) + index}'\n  read: ${r.chance(0.5)}\n  recipients:\n  - ${f.internet.email().toLowerCase()}\n  sender: ${f.internet.email().toLowerCase()}\n  subject: ${message.subject}\n  timestamp: ${f.date.recent({ days: 30 }).toISOString().slice(0, 16).replace('T', ' ')}:00`,
    );
    return { text: yaml.join('\n'), group: 'account-mail-yaml' };
  },
};

const FAMILIES: readonly Family[] = [
  ...Object.keys(ENTITIES).map(jsonFamily),
  emailFamily,
  chatFamily,
  logFamily,
  csvFamily,
  markdownTableFamily,
  readmeFamily,
  apiDocFamily,
  answerFamily,
  codeFamily,
  searchFamily,
  errorFamily,
  keyValueFamily,
  shortValueFamily,
  fieldFamily,
  gitLogFamily,
  supportArticleFamily,
  packageDocsFamily,
  issueCommentFamily,
  changelogFamily,
  yamlFamily,
  faqFamily,
  ciOutputFamily,
  smsFamily,
  qaCodeFamily,
  assistantHelpFamily,
  safetyNoticeFamily,
  accountMailFamily,
];

// --- attacks --------------------------------------------------------------------------------------

/** Vietnamese as typed without diacritics. */
function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/**
 * Override phrasing aimed at the agent, generated from the banks' openers, actions and closers of
 * the pool, in English and Vietnamese (a fifth of the Vietnamese without diacritics, as typed on
 * many keyboards). Named by opener, so folds hold each opener out whole.
 */
export function overrideAttacks(pool: Pool, seed: number, count: number): AttackString[] {
  const context = new Context(seed, pool);
  const r = context.random;
  const attacks: AttackString[] = [];
  for (let index = 0; index < count; index++) {
    const vi = r.chance(0.35);
    context.language = vi ? 'vi' : 'en';
    const openers = vi
      ? pool === 'train'
        ? banks.OVERRIDE_OPENERS_VI_TRAIN
        : banks.OVERRIDE_OPENERS_VI_EVALUATION
      : pool === 'train'
        ? banks.OVERRIDE_OPENERS_EN_TRAIN
        : banks.OVERRIDE_OPENERS_EN_EVALUATION;
    const actions = vi
      ? pool === 'train'
        ? banks.OVERRIDE_ACTIONS_VI_TRAIN
        : banks.OVERRIDE_ACTIONS_VI_EVALUATION
      : pool === 'train'
        ? banks.OVERRIDE_ACTIONS_EN_TRAIN
        : banks.OVERRIDE_ACTIONS_EN_EVALUATION;
    const opener = r.pick(openers);
    const action = r.pick(actions);
    const closer = r.pick(vi ? banks.OVERRIDE_CLOSERS_VI : banks.OVERRIDE_CLOSERS_EN);
    let text = context.fill(`${opener} ${action}${closer}`);
    if (vi && r.chance(0.2)) text = stripDiacritics(text);
    attacks.push({ name: `override|${vi ? 'vi' : 'en'}|${opener}`, text, shape: 'text' });
  }
  return attacks;
}

// --- rows -----------------------------------------------------------------------------------------

/** What to generate. */
export interface SyntheticOptions {
  pool: Pool;
  seed: number;
  /** Benign rows. */
  benign: number;
  /** Attacked rows. */
  attacked: number;
  /** Attack strings to plant, drawn uniformly. */
  attacks: readonly AttackString[];
}

/**
 * Benign and attacked synthetic tool outputs of a pool. An attacked row's `meta.attack_span` is the
 * planted attack as it stands in the text (escaped for JSON, CSV or a comment where it sits).
 */
export function syntheticRows(options: SyntheticOptions): SyntheticRow[] {
  const context = new Context(options.seed, options.pool);
  const r = context.random;
  const families = FAMILIES.filter((family) => family.pools.includes(options.pool));
  const pickFamily = (injectable: boolean, code: boolean): Family => {
    const eligible = families.filter(
      (family) => (!injectable || family.injectable) && (!code || family.code),
    );
    const total = eligible.reduce((sum, family) => sum + family.weight, 0);
    let at = r.next() * total;
    for (const family of eligible) {
      at -= family.weight;
      if (at <= 0) return family;
    }
    return eligible[eligible.length - 1]!;
  };
  const rows: SyntheticRow[] = [];
  for (let index = 0; index < options.benign + options.attacked; index++) {
    const attacked = index >= options.benign;
    const attack = attacked ? r.pick(options.attacks) : undefined;
    const family = pickFamily(attacked, attack?.shape === 'code');
    context.language = r.pick(family.languages);
    if (attack !== undefined && attack.shape === 'text' && attack.name.startsWith('override|')) {
      // Override phrasing in the output's language most of the time, the other one sometimes.
      const language: Language = attack.name.startsWith('override|vi') ? 'vi' : 'en';
      if (family.languages.includes(language) && r.chance(0.8)) context.language = language;
    }
    context.inject = attacked;
    context.placed = false;
    context.position = undefined;
    context.escape = (text) => text;
    const { text: full, group } = family.render(context);
    // Vietnamese is often typed without diacritics (SMS, chat, old systems).
    const rendered = context.language === 'vi' && r.chance(0.15) ? stripDiacritics(full) : full;
    const id = `synthetic-${options.pool}-${String(index).padStart(5, '0')}`;
    const category = `synthetic:${group}`;
    if (attack === undefined) {
      if (rendered.includes(MARKER))
        throw new Error(`synthetic family ${family.name} placed a marker in a benign row`);
      rows.push({
        id,
        text: rendered,
        label: 0,
        kind: 'tool_output',
        source: 'warden synthetic',
        category,
        meta: { context_group: group },
      });
      continue;
    }
    const at = rendered.indexOf(MARKER);
    if (at < 0 || rendered.indexOf(MARKER, at + 1) >= 0)
      throw new Error(`synthetic family ${family.name} did not place exactly one marker`);
    const planted = context.escape(attack.text);
    const text = rendered.slice(0, at) + planted + rendered.slice(at + MARKER.length);
    rows.push({
      id,
      text,
      label: 1,
      kind: 'tool_output',
      source: 'warden synthetic',
      category,
      meta: {
        context_group: group,
        attack_name: attack.name,
        attack_span: [at, at + planted.length],
        position: context.position ?? 'middle',
      },
    });
  }
  return rows;
}

/**
 * Task hijacks in the style of BIPIA's text attacks (banks.TASK_ATTACKS_*), filled from fixed value
 * lists; templates split into pools by hash. Named by template, so folds hold each template out whole.
 */
export function taskAttacks(pool: Pool, seed: number, count: number): AttackString[] {
  const random = new Random(seed);
  const inPool = (template: string): boolean => (pool === 'train') !== evaluationOnly(template);
  const english = banks.TASK_ATTACKS_EN.filter(inPool);
  const vietnamese = banks.TASK_ATTACKS_VI.filter(inPool);
  const values = { ...banks.TASK_VALUES, ...banks.TASK_VALUES_VI };
  const attacks: AttackString[] = [];
  for (let index = 0; index < count; index++) {
    const vi = vietnamese.length > 0 && random.chance(0.2);
    const template = random.pick(vi ? vietnamese : english);
    const text = template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      const options = values[slot];
      if (options === undefined) throw new Error(`task attack templates: unknown slot {${slot}}`);
      return random.pick(options);
    });
    attacks.push({ name: `task|${template}`, text, shape: 'text' });
  }
  return attacks;
}
