import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import PHONE_EXAMPLES from 'libphonenumber-js/examples.mobile.json';
import { defaultDetectors } from '../../src/inspect/detectors/index.js';
import { internationalPhoneVerdict, nationalPhoneValid } from '../../src/inspect/detectors/phone-numbers.js';
import { piiDetectors } from '../../src/inspect/detectors/pii.js';
import { TextProfile, profiledScanOf } from '../../src/inspect/detectors/text-profile.js';
import { AsciiWords } from '../../src/inspect/detectors/ascii-words.js';
import {
  WordHashes,
  contextBefore,
  foldRange,
  kindMask,
  labelMayEndBetween,
  labelMayEndNear,
  nfcView,
} from '../../src/inspect/detectors/context.js';
import { FINDING_TYPES } from '../../src/inspect/types.js';
import type { Detector, Finding, FindingType } from '../../src/inspect/types.js';

const DETECTORS = piiDetectors();
const budget = () => ({ deadline: performance.now() + 60_000 });

interface Found {
  type: FindingType;
  value: string;
  confidence: number;
  detector: string;
}

/** Every finding of the global detectors on `text`, with the text it covers. */
function scan(text: string, detectors: readonly Detector[] = DETECTORS): Found[] {
  const found: Found[] = [];
  for (const detector of detectors) {
    for (const finding of detector.detect(text, budget())) {
      assert.ok(
        finding.start >= 0 && finding.end <= text.length && finding.start < finding.end,
        'span in text',
      );
      assert.ok(finding.confidence >= 0 && finding.confidence <= 1, 'confidence in 0..1');
      assert.ok(detector.types.includes(finding.type), `${detector.name} reports only its types`);
      assert.equal(finding.detector, detector.name);
      found.push({
        type: finding.type,
        value: text.slice(finding.start, finding.end),
        confidence: finding.confidence,
        detector: finding.detector,
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

describe('piiDetectors', () => {
  test('are pure PII detectors with unique names and known types', () => {
    const names = DETECTORS.map((detector) => detector.name);
    assert.equal(new Set(names).size, names.length);
    for (const detector of DETECTORS) {
      assert.equal(detector.category, 'pii');
      for (const type of detector.types) assert.equal(FINDING_TYPES[type].category, 'pii');
    }
    assert.deepEqual(
      DETECTORS.flatMap((detector) => detector.types),
      [
        'email',
        'phone',
        'payment_card',
        'iban',
        'ip_address',
        'date_of_birth',
        'us_ssn',
        'passport',
        'person_name',
        'address',
      ],
    );
  });

  test('find nothing in an empty string or plain prose', () => {
    assert.deepEqual(scan(''), []);
    assert.deepEqual(
      reported('The quick brown fox jumps over the lazy dog, 3 times a day in 2024.', 'person_name'),
      [],
    );
  });
});

describe('email', () => {
  test('reports addresses with exact spans', () => {
    const text = 'Write to lan.nguyen+hr@example.com.vn, or <ops@mail.example.org>. Thanks!';
    assert.deepEqual(reported(text, 'email'), ['lan.nguyen+hr@example.com.vn', 'ops@mail.example.org']);
  });

  test('skips hosts without a TLD, package scopes, asset names and URL credentials', () => {
    assert.deepEqual(reported('root@localhost and npm i @babel/core', 'email'), []);
    assert.deepEqual(reported('<img src="logo@2x.png">', 'email'), []);
    assert.deepEqual(reported('postgres://app:s3cret@db.example.com/prod', 'email'), []);
    // a password with characters an e-mail local part has not: its tail is no address either
    assert.deepEqual(
      reported('mongodb+srv://app:Pa55w0rd!2024@cluster0.example.mongodb.net/db', 'email'),
      [],
    );
    assert.deepEqual(reported('https://deploy:Tr0ub4dor&3@git.example.com/repo.git', 'email'), []);
    assert.deepEqual(reported('postgres://admin:p%40ss*word@db.example.com/prod', 'email'), []);
    // a user name that is an address is one; the password after it is not
    assert.deepEqual(reported('smtp://noreply@company.com:Sup3rS3cret@smtp.example.com:587', 'email'), [
      'noreply@company.com',
    ]);
    // after a URL's path, or with no "://" before the colon, an address is an address
    assert.deepEqual(reported('https://example.com/contact:bob@example.com', 'email'), ['bob@example.com']);
    assert.deepEqual(reported('mailto:bob@example.com', 'email'), ['bob@example.com']);
    assert.deepEqual(reported('see https://example.com/x then bob@example.com', 'email'), [
      'bob@example.com',
    ]);
  });

  test('refuses local parts longer than 64 characters', () => {
    assert.deepEqual(reported(`${'a'.repeat(65)}@example.com`, 'email'), []);
    assert.deepEqual(reported(`${'a'.repeat(64)}@example.com`, 'email'), [`${'a'.repeat(64)}@example.com`]);
  });
});

describe('phone (global)', () => {
  test('reports numbers with a country code anywhere, with their exact spans', () => {
    const text = 'UK +44 20 7946 0958; US +1 415-555-2671; FR +33 1 42 68 53 00; SG +65 6123 4567.';
    assert.deepEqual(reported(text, 'phone'), [
      '+44 20 7946 0958',
      '+1 415-555-2671',
      '+33 1 42 68 53 00',
      '+65 6123 4567',
    ]);
  });

  test('reads 00 as the international prefix', () => {
    assert.deepEqual(reported('gọi 0044 20 7946 0958', 'phone'), ['0044 20 7946 0958']);
  });

  test('reports US numbers in their usual shapes', () => {
    assert.deepEqual(reported('Call (415) 555-2671 or 415.555.2671 or 1-415-555-2671', 'phone'), [
      '(415) 555-2671',
      '415.555.2671',
      '1-415-555-2671',
    ]);
  });

  test('reports other national numbers only when labelled as a phone', () => {
    assert.deepEqual(reported('Tel: 06 12 34 56 78', 'phone'), ['06 12 34 56 78']);
    assert.deepEqual(reported('Ref 06 12 34 56 78', 'phone'), []);
  });

  test('leaves Vietnamese numbers to the Vietnamese detector', () => {
    const found = scan('+84 912 345 678').filter((finding) => finding.type === 'phone');
    assert.deepEqual(found, []);
  });

  test('skips invalid numbers, timestamps, versions and prices', () => {
    assert.deepEqual(reported('+1 000 000 0000, +999 123 456 789', 'phone'), []);
    assert.deepEqual(reported('ts 1700000000123, version 10.2.3.4, price 1.500.000 VND', 'phone'), []);
  });
});

describe('payment_card', () => {
  const cards = {
    visa: '4111 1111 1111 1111',
    visaDashed: '4012-8888-8888-1881',
    mastercard: '5555555555554444',
    mastercard2: '2223 0031 2200 3222',
    amex: '3782 822463 10005',
    jcb: '3530 1113 3330 0000',
    discover: '6011 0009 9013 9424',
  };

  test('reports Luhn-valid numbers of known schemes, grouped or not', () => {
    for (const [scheme, number] of Object.entries(cards)) {
      assert.deepEqual(reported(`Thẻ ${scheme}: ${number}.`, 'payment_card'), [number], scheme);
      assert.ok((confidenceOf(`pay with ${number}`, 'payment_card', number) ?? 0) >= 0.9, scheme);
    }
  });

  test('refuses Luhn-invalid numbers', () => {
    assert.deepEqual(reported('4111 1111 1111 1112 and 5555555555554445', 'payment_card'), []);
  });

  test('needs a card label for a Luhn-valid number of no known scheme', () => {
    const number = '8000000000000003'; // Luhn-valid, no scheme starts with 8
    assert.deepEqual(reported(`ref ${number}`, 'payment_card'), []);
    assert.deepEqual(reported(`credit card ${number}`, 'payment_card'), [number]);
  });

  test('discounts look-alikes labelled as order or invoice numbers', () => {
    assert.ok((confidenceOf('Order ID: 4111111111111111', 'payment_card', '4111111111111111') ?? 1) < 0.5);
  });

  test('a label on an earlier line speaks of this line unless a number follows it on its own', () => {
    const card = '4111 1111 1111 1111';
    // "Mã đơn" (order code) labels the number on its line, not the card below
    assert.deepEqual(reported(`Mã đơn: 079 203 001 234\nThẻ ${card}`, 'payment_card'), [card]);
    assert.deepEqual(reported(`Order ID: 12345\r\n${card}`, 'payment_card'), [card]);
    assert.ok((confidenceOf(`Order ID:\n${card}`, 'payment_card', card) ?? 1) < 0.5);
    const unknownScheme = '8000000000000003'; // reported only when labelled as a card
    assert.deepEqual(reported(`Số thẻ:\n${unknownScheme}`, 'payment_card'), [unknownScheme]);
    assert.deepEqual(reported(`Số thẻ: 1234 5678\n${unknownScheme}`, 'payment_card'), []);
    // words after the label on its line do not stop it
    assert.deepEqual(reported(`Số thẻ của khách hàng:\n${unknownScheme}`, 'payment_card'), [unknownScheme]);
    assert.deepEqual(reported(`Card number (16 digits)\r\n${unknownScheme}`, 'payment_card'), [
      unknownScheme,
    ]);
    // Unicode line and paragraph separators end a line too
    assert.deepEqual(reported(`Mã đơn: 12345\u2028Thẻ ${card}`, 'payment_card'), [card]);
  });

  test('does not cut cards out of longer numbers, words or mixed separators', () => {
    assert.deepEqual(
      reported('id 94111111111111111 x4111111111111111 4111 1111-1111 1111', 'payment_card'),
      [],
    );
    assert.deepEqual(reported('0000 0000 0000 0000', 'payment_card'), []);
  });

  test('reports two cards written one after the other', () => {
    assert.deepEqual(reported('4111 1111 1111 1111 5555 5555 5555 4444', 'payment_card'), [
      '4111 1111 1111 1111',
      '5555 5555 5555 4444',
    ]);
  });
});

describe('iban', () => {
  test('reports valid IBANs of several countries, with or without spaces', () => {
    const ibans = [
      'DE89 3704 0044 0532 0130 00',
      'GB29NWBK60161331926819',
      'FR14 2004 1010 0505 0001 3M02 606',
      'NL91ABNA0417164300',
      'ES9121000418450200051332',
      'IT60X0542811101000000123456',
    ];
    for (const iban of ibans) assert.deepEqual(reported(`IBAN: ${iban}, thanks`, 'iban'), [iban]);
  });

  test('refuses a wrong check, a wrong length and IBANs glued into words', () => {
    assert.deepEqual(reported('DE89 3704 0044 0532 0130 01', 'iban'), []);
    assert.deepEqual(reported('GB29NWBK6016133192681', 'iban'), []);
    assert.deepEqual(reported('xGB29NWBK60161331926819 GB29NWBK60161331926819x', 'iban'), []);
  });
});

describe('ip_address', () => {
  test('reports IPv4 and IPv6 addresses with exact spans', () => {
    const text =
      'from 203.0.113.7:443 via 10.0.0.1/24, peer 2001:db8::8a2e:370:7334, mapped ::ffff:192.0.2.1.';
    assert.deepEqual(reported(text, 'ip_address'), [
      '203.0.113.7',
      '10.0.0.1',
      '2001:db8::8a2e:370:7334',
      '::ffff:192.0.2.1',
    ]);
  });

  test('skips version numbers and things shaped like addresses', () => {
    assert.deepEqual(reported('version 1.2.3.4, v1.2.3.4, Chrome 120.0.6099.109', 'ip_address'), []);
    assert.deepEqual(reported('oid 1.3.6.1.4.1, 256.1.1.1, 01.02.03.04', 'ip_address'), []);
    assert.deepEqual(reported('at 10:22:33, mac 00:1A:2B:3C:4D:5E, std::vector, Foo::bar', 'ip_address'), []);
  });

  test('reads an address in a CSV field right after a field ending in a digit', () => {
    const text = 'id,host,ip\n1,web01,10.0.0.12\n2,db2,192.168.1.20\n3;8.8.8.8';
    assert.deepEqual(reported(text, 'ip_address'), ['10.0.0.12', '192.168.1.20', '8.8.8.8']);
    // glued to a word, or after a dot, it is still no address
    assert.deepEqual(reported('build1.2.3.4 and 1.10.0.0.12', 'ip_address'), []);
  });

  test('keeps loopback and unspecified addresses below the threshold', () => {
    assert.deepEqual(reported('listen 127.0.0.1 and 0.0.0.0 and ::1', 'ip_address'), []);
  });
});

describe('date_of_birth', () => {
  test('reports dates labelled as birth dates, in every common shape', () => {
    const cases: Array<[string, string]> = [
      ['DOB: 12/05/1990', '12/05/1990'],
      ['Date of birth 1990-05-12', '1990-05-12'],
      ['born on May 12, 1990 in Hue', 'May 12, 1990'],
      ['Birthday: 3rd of March 1985', '3rd of March 1985'],
      ['Ngày sinh: 01.02.1985', '01.02.1985'],
      ['sinh ngày 12 tháng 5 năm 1990', 'ngày 12 tháng 5 năm 1990'],
      ['ngay sinh 12/05/90', '12/05/90'],
      ['"dob": "1990-05-12T00:00:00Z"', '1990-05-12'],
      ['Họ tên: Bùi Trung Hiếu - NS: 09/05/2005', '09/05/2005'],
      ['N/S: 21-05-1994', '21-05-1994'],
      ['Date of birth: 07-Nov-1958', '07-Nov-1958'],
      ['DOB 7/November/1958, joined 01-Jan-2020', '7/November/1958'],
    ];
    for (const [text, value] of cases) assert.deepEqual(reported(text, 'date_of_birth'), [value], text);
  });

  test('reports decomposed (NFD) Vietnamese labels at the right offsets', () => {
    const text = 'Ngày sinh: 12/05/1990'.normalize('NFD');
    assert.deepEqual(reported(text, 'date_of_birth'), ['12/05/1990']);
    const written = 'sinh ngày 12 tháng 5 năm 1990'.normalize('NFD');
    assert.deepEqual(reported(written, 'date_of_birth'), ['ngày 12 tháng 5 năm 1990'.normalize('NFD')]);
  });

  test('skips dates without a label, impossible dates and future dates', () => {
    assert.deepEqual(reported('Invoice date 12/05/1990, created 2024-01-05', 'date_of_birth'), []);
    assert.deepEqual(reported('Created 07-Nov-1958; DOB: 31-Feb-1958, 07-Nov/1958', 'date_of_birth'), []);
    assert.deepEqual(reported('DOB: 31/02/1990', 'date_of_birth'), []);
    // "NS" only as the upper-case abbreviation with its colon, not nanoseconds or a DNS record
    assert.deepEqual(reported('took 120 ns\n2024-01-05 10:00:01 INFO done', 'date_of_birth'), []);
    assert.deepEqual(reported('DNS: 09/05/2005, ns: 09/05/2005', 'date_of_birth'), []);
    assert.deepEqual(reported(`DOB: ${new Date().getFullYear() + 1}-01-01`, 'date_of_birth'), []);
  });
});

describe('us_ssn', () => {
  test('reports dashed numbers and labelled plain ones', () => {
    assert.deepEqual(reported('SSN 123-45-6789', 'us_ssn'), ['123-45-6789']);
    assert.deepEqual(reported('employee 457-55-5462 joined', 'us_ssn'), ['457-55-5462']);
    assert.deepEqual(reported('Social Security Number: 457555462', 'us_ssn'), ['457555462']);
    assert.deepEqual(reported('ssn: 457 55 5462', 'us_ssn'), ['457 55 5462']);
  });

  test('applies the invalid ranges', () => {
    for (const number of [
      '000-12-3456',
      '666-12-3456',
      '912-12-3456',
      '123-00-4567',
      '123-45-0000',
      '078-05-1120',
    ]) {
      assert.deepEqual(reported(`SSN ${number}`, 'us_ssn'), [], number);
    }
  });

  test('needs a label for plain or spaced digits', () => {
    assert.deepEqual(reported('account 457555462 and 457 55 5462', 'us_ssn'), []);
  });
});

describe('labels and month names in French, German, Spanish, Italian, Dutch and Portuguese', () => {
  test('birth dates after their labels, numeric or with the month written out', () => {
    const cases: Array<[string, string]> = [
      ['Patiente : Hélène Dubois, née le 22/09/1961.', '22/09/1961'],
      ['Jürgen Weiß, geboren am 03.11.1978 in Kassel', '03.11.1978'],
      ['Patient Klaus Brandt, geb. 14.02.1949, Tel. folgt', '14.02.1949'],
      ['Geboortedatum: 17-04-1992', '17-04-1992'],
      ['Fecha de nacimiento: 09/10/1974.', '09/10/1974'],
      ['data di nascita: 05/03/1990', '05/03/1990'],
      ['data de nascimento 14/02/1968.', '14/02/1968'],
      ['Passager : Camille Rousseau – née le 8 mars 1993 à Nantes.', '8 mars 1993'],
      ['Le dossier de Mme Élodie Faure (née le 12 avril 1987)', '12 avril 1987'],
      ['Marco Bianchi, nato il 12 gennaio 1975 a Torino.', '12 gennaio 1975'],
      ['Diego Herrera, nacido el 17 de julio de 1989, domicilio', '17 de julio de 1989'],
      ['geboren am 3. März 1980 in Bonn', '3. März 1980'],
      ['Geburtsdatum: 1. Februar 1990', '1. Februar 1990'],
    ];
    for (const [text, value] of cases) assert.deepEqual(reported(text, 'date_of_birth'), [value], text);
    // a date with a month written out, without a birth label, is no birth date
    assert.deepEqual(reported('La réunion du 8 mars 1993 a été annulée.', 'date_of_birth'), []);
  });

  test('national phone numbers after a phone label are checked against more regions', () => {
    const cases: Array<[string, string]> = [
      ['Mi teléfono: 612 345 789.', '612 345 789'],
      ['Contactpersoon: Thijs, telefoon 020 624 1187, e-mail volgt', '020 624 1187'],
      ['Cellulare: 320 118 4476', '320 118 4476'],
      ['Telefon: 030 1234567', '030 1234567'],
      ['telemóvel 912 345 678.', '912 345 678'],
    ];
    for (const [text, value] of cases) assert.deepEqual(reported(text, 'phone'), [value], text);
  });

  test('passport numbers after a passport label', () => {
    assert.deepEqual(reported('Passaporto n. YA4829163 intestato a Marco', 'passport'), ['YA4829163']);
    assert.deepEqual(reported('passaporte n.º CA721846, data', 'passport'), ['CA721846']);
  });

  test('a card after its label is not discounted by an order label before it', () => {
    assert.deepEqual(
      reported('Ordine 20931: pagato con carta 5168-4420-9137-7052, cliente', 'payment_card'),
      ['5168-4420-9137-7052'],
    );
  });
});

describe('passport', () => {
  test('reports passport numbers after a label, Vietnamese ones as a letter and 7 digits', () => {
    assert.deepEqual(reported('Passport No: B1234567', 'passport'), ['B1234567']);
    assert.deepEqual(reported('Số hộ chiếu: C7654321', 'passport'), ['C7654321']);
    assert.deepEqual(reported('so ho chieu N2345678', 'passport'), ['N2345678']);
    assert.deepEqual(reported('passport number 123456789', 'passport'), ['123456789']);
    assert.deepEqual(reported('Hộ chiếu: B1234567'.normalize('NFD'), 'passport'), ['B1234567']);
  });

  test('reports passport numbers that mix letters and digits', () => {
    const cases: [string, string][] = [
      ['Numéro de passeport : 19AB58732', '19AB58732'],
      ['Reisepassnummer C01X00T47, gültig bis 2031', 'C01X00T47'],
      ['paspoortnummer NXR83KP14', 'NXR83KP14'],
      ['Pasaporte: PAA123456', 'PAA123456'],
      ['passport no. N123456', 'N123456'],
    ];
    for (const [text, value] of cases) assert.deepEqual(reported(text, 'passport'), [value], text);
  });

  test('reports nothing without a label, and no token too short, too long or with too few digits', () => {
    assert.deepEqual(reported('Seat B1234567, flight 123456789', 'passport'), []);
    const notPassports = [
      'Passport photo: 35X45MM',
      'passport ABCDEF12',
      'passport C01X00T47X9',
      'passport 1234567',
      'passport AB12CD',
      'Passport: c01x00t47',
    ];
    for (const text of notPassports) assert.deepEqual(reported(text, 'passport'), [], text);
  });
});

describe('person_name (English)', () => {
  test('reports surnames with particles after a given name, a title or a name label', () => {
    const cases: [string, string][] = [
      ['Ludwig van Beethoven wrote it', 'Ludwig van Beethoven'],
      ['Contact: Jan van den Berg', 'Jan van den Berg'],
      ['Leonardo da Vinci painted', 'Leonardo da Vinci'],
      ['Grace van Leeuwen called', 'Grace van Leeuwen'],
      ['Dear Mr. van der Meer,', 'van der Meer'],
      ['Mevrouw de Vries belt terug', 'de Vries'],
      ['Herr von Weizsäcker sagt', 'von Weizsäcker'],
    ];
    for (const [text, value] of cases) assert.deepEqual(reported(text, 'person_name'), [value], text);
    const places = [
      'Notre Dame de Paris',
      'Santa Maria della Salute',
      'Rio de Janeiro',
      'Victoria de Durango',
    ];
    for (const text of places) assert.deepEqual(reported(text, 'person_name'), [], text);
  });

  test('reports upper-case names after a name label, and titles of other languages', () => {
    assert.deepEqual(reported('Customer: JOHN SMITH', 'person_name'), ['JOHN SMITH']);
    assert.deepEqual(reported('Nombre: MARÍA GARCÍA LÓPEZ', 'person_name'), ['MARÍA GARCÍA LÓPEZ']);
    assert.deepEqual(reported('Sr. Juan Pérez llamó', 'person_name'), ['Juan Pérez']);
    assert.deepEqual(reported('Herr Klaus Müller', 'person_name'), ['Klaus Müller']);
    // upper case without a label, or without a known given name or surname, is no name
    assert.deepEqual(reported('JOHN SMITH', 'person_name'), []);
    assert.deepEqual(reported('Customer: ACME HOLDINGS', 'person_name'), []);
    assert.deepEqual(reported('Customer: NGUYEN VAN AN', 'person_name'), []);
  });

  test('reports names after titles, known given names with surnames, and labelled names', () => {
    const text = 'Mr. John Smith met Dr Alice Johnson and Mary Ann Williams. Customer: Jane Roe.';
    assert.deepEqual(reported(text, 'person_name'), [
      'John Smith',
      'Alice Johnson',
      'Mary Ann Williams',
      'Jane Roe',
    ]);
  });

  test('needs a known surname, a name label or a non-determiner before a given name', () => {
    assert.deepEqual(reported('The Alphonso Cheese is back', 'person_name'), []);
    assert.deepEqual(reported('on file for Delbert Quexley.', 'person_name'), ['Delbert Quexley']);
    assert.ok((confidenceOf('on file for Delbert Quexley.', 'person_name', 'Delbert Quexley') ?? 1) < 0.8);
    assert.deepEqual(reported('Patient: Alphonso Quexley', 'person_name'), ['Alphonso Quexley']);
    assert.deepEqual(reported('We met Alphonso Garcia', 'person_name'), ['Alphonso Garcia']);
  });

  test('names written with European diacritics are read as their folded letters', () => {
    const names: [string, string][] = [
      ['Contact: José García, phone pending.', 'José García'],
      ['The invoice was approved by Álvaro Martínez.', 'Álvaro Martínez'],
      ['Dear François Dubois, thank you for your order.', 'François Dubois'],
      ['Björn Müller joined the team in March.', 'Björn Müller'],
      ['Meeting with Zoë Smith tomorrow.', 'Zoë Smith'],
      ['Patient: Søren Kowalczyk', 'Søren Kowalczyk'],
      ['Assigned to: Łucja Nowak-Wójcik', 'Łucja Nowak-Wójcik'],
      ['Name: Jürgen Weiß, Abteilung Einkauf', 'Jürgen Weiß'],
      ['Zahlungseingang von Kunde: Ayşe Yılmaz', 'Ayşe Yılmaz'],
    ];
    for (const [text, name] of names) assert.deepEqual(reported(text, 'person_name'), [name], text);
    // the rules for ASCII names hold: no given name, a determiner, an all-caps word
    assert.deepEqual(reported('Café Müller opens at noon on Église Street.', 'person_name'), []);
    assert.deepEqual(reported('The José Chair is back in stock.', 'person_name'), []);
    assert.deepEqual(reported('JOSÉ GARCÍA', 'person_name'), []);
  });

  test('a word holding a letter only Vietnamese writes is left to the Vietnamese detector', () => {
    const names = scan('Gửi anh Trần Văn Hùng và chị Lê Thị Mai.', defaultDetectors()).filter(
      (found) => found.type === 'person_name',
    );
    assert.deepEqual(
      names.map((found) => [found.value, found.detector]),
      [
        ['Trần Văn Hùng', 'vn.person_name'],
        ['Lê Thị Mai', 'vn.person_name'],
      ],
    );
  });

  test('skips places, organisations, days and all-caps headings', () => {
    const text =
      'New York. Chase Bank. Victoria Station on Monday Morning. GENERAL TERMS AND CONDITIONS. Grace Church';
    assert.deepEqual(reported(text, 'person_name'), []);
  });

  test('teams, departments and bots after a name label are not names', () => {
    const machines = [
      'Assigned to: Finance Department',
      'Assigned to Jenkins Pipeline',
      'Assigned to: Renovate Bot',
      'Customer: Customer Support',
      'Assigned to Security Team',
    ];
    for (const text of machines) assert.deepEqual(reported(text, 'person_name'), [], text);
    assert.deepEqual(reported('Assigned to: Delbert Quexley', 'person_name'), ['Delbert Quexley']);
  });

  test('after a greeting or a sign-off, unlisted and ambiguous given names are names when they close it', () => {
    const letters: [string, string][] = [
      ['Dear Genoveva Parker,\nyour order shipped.', 'Genoveva Parker'],
      ['Thanks for the call.\n\nSigned,\nGenoveva Parker', 'Genoveva Parker'],
      ['Best regards,\nJack Collins-Mosciski', 'Jack Collins-Mosciski'],
      ['Dear Jack Frost, see you Monday.', 'Jack Frost'],
    ];
    for (const [text, name] of letters) assert.deepEqual(reported(text, 'person_name'), [name], text);
    // salutations to roles, product names after a greeting word, subject lines under a sign-off
    const notNames = [
      'Dear Valued Customer,',
      'Dear Hiring Manager,',
      'Dear Account Holder,',
      'Dear Google Workspace Admin,',
      'Hello World',
      'Hello Kitty Backpack',
      'Hey Google Play Store is down',
      'Thanks Giving Dinner Menu',
      'Hi Hi Hi Hi',
      'Best regards,\nAcme Support Team',
      'Regards,\nSales Department',
      'Sincerely,\nHuman Resources',
      'Thanks,\nOrder Confirmation #4411',
      'Hi,\nQuick Question about the invoice',
      'Attention Deficit Disorder',
      'Thanks Mark Holdings for the update.',
    ];
    for (const text of notNames) assert.deepEqual(reported(text, 'person_name'), [], text);
  });
});

describe('address (US)', () => {
  test('reports street addresses ending with a state and ZIP code', () => {
    const addresses = [
      '5561 Marquardt Port Suite 661, Lake Elenaview, NV 89012',
      '36705 Church Street, Springfield, IL 62704-1234',
      '96544 Chet Forge Apt. 868, South Gabrielle, CA 94016',
      '7254 E 10th Street, South Elias, VA 48967',
      '99090 Aufderhar-Hilpert Cove, Fort Wellington, WY 48454',
      '22 Park Avenue, Apt 5B, New York, NY 10016',
      '742 Evergreen Terrace\nSpringfield, IL 62704',
    ];
    for (const address of addresses) assert.deepEqual(reported(`Ship to: ${address}.`, 'address'), [address]);
  });

  test('reports UK street addresses ending with a postcode', () => {
    const addresses = [
      '221B Baker Street, London NW1 6XE',
      '10 Downing Street, London, SW1A 2AA',
      '1 Deansgate, Manchester M3 1AZ',
      '44 High Street, Croydon CR0 1YG',
    ];
    for (const address of addresses)
      assert.deepEqual(reported(`Deliver to ${address}.`, 'address'), [address]);
    // a postcode-shaped pair without a street before its town, or glued to more letters, is not one
    assert.deepEqual(reported('Manchester M3 1AZ', 'address'), []);
    assert.deepEqual(reported('12 High Street, Croydon CR0 1YGX', 'address'), []);
    assert.deepEqual(reported('Flight BA 2 arrives at Gate 5, Terminal B3 4AB', 'address'), []);
  });

  test('reports European street addresses ending with a postcode and a town', () => {
    const addresses = [
      'Hauptstraße 5, 10115 Berlin',
      'Hauptstr. 5a, 10115 Berlin-Mitte',
      'Frankfurter Allee 34, 10247 Berlin',
      'Karl-Marx-Allee 34, D-10178 Berlin',
      'Bahnhofstrasse 10\n8001 Zürich',
      '12 rue de la Paix, 75002 Paris',
      '12, avenue des Champs-Élysées 75008 Paris',
      '5 bis rue Victor Hugo, 69002 Lyon',
      'Rue de la Loi 16, 1000 Bruxelles',
      'Via Roma 10, 00184 Roma',
      'Piazza del Duomo, 1, 50122 Firenze (FI)',
      'Corso Vittorio Emanuele II 15, 20122 Milano',
      'Calle de Alcalá, 45, 28014 Madrid',
      'Carrer de Mallorca 401, 08013 Barcelona',
      'Rua Augusta 100, 1100-053 Lisboa',
      'Keizersgracht 123, 1015 CJ Amsterdam',
      'Nørrebrogade 20, 2200 København',
      'Drottninggatan 5, 111 51 Stockholm',
      'Frankfurter Allee 34, 60311 Frankfurt am Main',
    ];
    for (const address of addresses)
      assert.deepEqual(reported(`Lieferung an ${address}. Danke`, 'address'), [address], address);
    // a label before the street raises the confidence
    const labelled = scan('Adresse : 3 place Bellecour, 69002 Lyon').filter((f) => f.type === 'address');
    assert.deepEqual(
      labelled.map((f) => [f.value, f.confidence]),
      [['3 place Bellecour, 69002 Lyon', 0.95]],
    );
  });

  test('needs a street that names its kind and has a house number before a European postcode', () => {
    const notAddresses = [
      'Version 5, 10115 Berlin',
      'Kapitel 5, 2024 Ausgabe',
      'Monitoring 5, 2024 Report',
      'Route 66, 12345 Springfield',
      'Rechnung 10115 Berlin',
      '75002 Paris',
      'Hauptstraße, 10115 Berlin', // no house number
      'Hauptstraße 5, 10115 berlin', // no town
      'Hauptstraße 5, 101156 Berlin', // six digits
      'Via Roma 10, 00184Roma',
      'rue 12, 75002 Paris', // no name after the kind
      'send it via email 10, 20000 Leagues',
      'Order 5 Spring 12, 2024 Collection',
    ];
    for (const text of notAddresses) assert.deepEqual(reported(text, 'address'), [], text);
  });

  test('skips a city and state alone, unknown state codes and glued ZIP codes', () => {
    assert.deepEqual(reported('Springfield, IL 62704', 'address'), []);
    assert.deepEqual(reported('12 Main Street, Springfield, XX 62704', 'address'), []);
    assert.deepEqual(reported('12 Main Street, Springfield, IL 627041', 'address'), []);
  });
});

describe('context words', () => {
  test('fold case and diacritics, NFC and NFD alike', () => {
    assert.equal(foldRange('Số Tài Khoản ĐT', 0, 15), 'so tai khoan dt');
    assert.equal(
      foldRange('Số Tài Khoản'.normalize('NFD'), 0, 'Số Tài Khoản'.normalize('NFD').length),
      'so tai khoan',
    );
  });

  test('find labels before a candidate, the nearest one deciding', () => {
    const text = 'Mã đơn hàng 123, STK: 0071000123456';
    const hits = contextBefore(text, text.indexOf('0071'));
    assert.equal(hits.has('bank'), true);
    assert.equal(hits.has('negative'), true);
    assert.equal(hits.verdict(['bank']), 'positive');
    const reversed = 'STK của tôi, mã đơn hàng: 0071000123456';
    assert.equal(contextBefore(reversed, reversed.indexOf('0071')).verdict(['bank']), 'negative');
    assert.equal(contextBefore('0071000123456', 0).verdict(['bank']), 'none');
  });

  test('a label near a candidate is never ruled out by the quick test before the lookup', () => {
    const labels = ['Số điện thoại', 'SĐT', 'phone no', 'date of birth', 'Ngày sinh', 'passport', 'order id'];
    const fillers = [' ', ': ', '": "', '_', '\u0301', 'x', 'abc', ' 12 ', '—', 'Ω', ''];
    fc.assert(
      fc.property(
        // up to 14 parts, so that the window also starts inside a label, or before it
        fc.array(fc.oneof(fc.constantFrom(...labels), fc.constantFrom(...fillers)), {
          maxLength: 14,
          size: 'max',
        }),
        (parts) => {
          const text = parts.join('') + '0912345678';
          for (let index = 0; index <= text.length; index++) {
            const hits = contextBefore(text, index);
            for (const kinds of [['phone'], ['dob'], ['passport', 'negative']] as const) {
              const nearest = hits.nearest(kinds);
              // Infinity: anywhere in the window, as a caller of `verdict` asks
              for (const distance of [0, 4, 16, Infinity]) {
                if (nearest <= distance && nearest !== Infinity) {
                  assert.equal(labelMayEndNear(text, index, distance, kindMask(kinds)), true);
                  assert.equal(labelMayEndBetween(text, index - 3, index, distance, kindMask(kinds)), true);
                }
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(labelMayEndNear('call 0912345678', 5, 16, kindMask(['dob'])), false);
    assert.equal(labelMayEndNear('DOB: 12/05/1990', 5, 16, kindMask(['dob'])), true);
  });

  test('word lists and word hashes answer as the plain sets do', () => {
    const words = new AsciiWords([
      ['mary', 1],
      ["o'neil", 2],
      ['emard-o', 3],
    ]);
    const text = "MARY O'Neil Emard-O Marya";
    assert.equal(words.get(text, 0, 4), 1);
    assert.equal(words.get(text, 5, 11), 2);
    assert.equal(words.get(text, 12, 19), 3);
    assert.equal(words.get(text, 20, 25), undefined);
    assert.equal(words.has(text, 20, 24), true);
    const hashes = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0x40000000, 123456789];
    const set = new WordHashes(hashes);
    for (const hash of [...hashes, 2, 0x40000001, 0x7fff0000, -2])
      assert.equal(set.has(hash), hashes.includes(hash));
  });

  test('map NFC offsets back to the decomposed original', () => {
    const original = 'Ông Nguyễn Văn An'.normalize('NFD');
    const view = nfcView(original);
    assert.equal(view.text, 'Ông Nguyễn Văn An');
    const start = view.text.indexOf('Nguyễn');
    const end = start + 'Nguyễn Văn An'.length;
    assert.equal(original.slice(view.start(start), view.end(end)), 'Nguyễn Văn An'.normalize('NFD'));
  });
});

describe('hostile input', () => {
  const adversarial: Array<[string, string]> = [
    ['1 MB of digits', '7'.repeat(1 << 20)],
    ['1 MB of @', '@'.repeat(1 << 20)],
    ['200 KB of a.a.a.', 'a.'.repeat(100_000)],
    ['digits with long runs of spaces', `0912${' '.repeat(100_000)}345678 `.repeat(5)],
    ['single-spaced digits', '1 '.repeat(300_000)],
    ['plus signs and digits', '+1 '.repeat(200_000)],
    ['colons and hex', 'a:'.repeat(200_000)],
    ['capitalized words', 'Mr John '.repeat(100_000)],
    ['local parts without a domain', `${'a'.repeat(60)}@`.repeat(10_000)],
    ['dotted digit groups', '1.'.repeat(300_000)],
    ['combining marks', `a${'\u0301'.repeat(100_000)} DOB 12/05/1990`],
  ];
  for (const [name, text] of adversarial) {
    test(`${name}: every detector returns`, () => {
      for (const detector of DETECTORS) {
        const findings = detector.detect(text, budget());
        assert.ok(Array.isArray(findings), detector.name);
      }
    });
  }

  test('a passed deadline stops the work and still returns', () => {
    const text = '4111 1111 1111 1111 '.repeat(10_000);
    for (const detector of DETECTORS) {
      assert.ok(Array.isArray(detector.detect(text, { deadline: performance.now() - 1 })), detector.name);
    }
  });

  test('no input makes a detector throw or report a span outside the text', () => {
    const unit = fc.constantFrom(
      '0',
      '4',
      '9',
      '1',
      ' ',
      '-',
      '.',
      '/',
      '+',
      '(',
      ')',
      ':',
      '@',
      'a',
      'Z',
      'DE',
      'é',
      '\u0301',
      '\ud83d',
      'DOB ',
      'Mr. ',
      'SSN ',
      'passport ',
      'John ',
      'x.com',
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit, maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })),
        (text) => {
          scan(text);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('phone validity without libphonenumber on the hot path', () => {
  /** libphonenumber's own answer for "+…" or "00…" with Vietnam as the default country. */
  function reference(number: string): { valid: boolean; callingCode?: string; national?: string } {
    const parsed = parsePhoneNumberFromString(number, 'VN');
    if (parsed === undefined || !parsed.isValid()) return { valid: false };
    return { valid: true, callingCode: parsed.countryCallingCode, national: parsed.nationalNumber };
  }

  /** Compares phone-numbers.ts with libphonenumber; returns false when the module left the case to it. */
  function agreesInternational(number: string): boolean {
    const verdict = internationalPhoneVerdict(number);
    if (verdict === undefined) return false;
    const expected = reference(number);
    assert.equal(verdict.valid, expected.valid, number);
    if (expected.valid) {
      assert.equal(verdict.countryCallingCode, expected.callingCode, number);
      assert.equal(verdict.nationalNumber, expected.national, number);
    }
    return true;
  }

  function agreesNational(digits: string, region: CountryCode): boolean {
    const valid = nationalPhoneValid(digits, region);
    if (valid === undefined) return false;
    const parsed = parsePhoneNumberFromString(digits, region);
    assert.equal(
      valid,
      parsed !== undefined && parsed.country === region && parsed.isValid(),
      `${region} ${digits}`,
    );
    return true;
  }

  test('agrees with libphonenumber on the example number of every country, as given and altered', () => {
    let compared = 0;
    let valid = 0;
    for (const [country, national] of Object.entries(PHONE_EXAMPLES)) {
      const callingCode = getCountryCallingCode(country as CountryCode);
      const altered =
        national.slice(0, -3) + String((Number(national.slice(-3)) + 137) % 1000).padStart(3, '0');
      for (const digits of [national, altered, `0${national}`, national.slice(0, -1), `${national}9`]) {
        for (const number of [`+${callingCode}${digits}`, `00${callingCode}${digits}`]) {
          if (agreesInternational(number)) compared++;
          if (reference(number).valid) valid++;
        }
        if (agreesNational(digits, country as CountryCode)) compared++;
      }
    }
    assert.ok(compared > 2000, `compared ${compared}`);
    assert.ok(valid > 400, `valid ${valid}`);
  });

  test('agrees with libphonenumber on random numbers of every calling code and region', () => {
    const callingCodes = [...new Set(getCountries().map((country) => getCountryCallingCode(country)))];
    let compared = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...callingCodes),
        fc.stringMatching(/^[0-9]{4,14}$/),
        fc.constantFrom('+', '00'),
        (callingCode, rest, prefix) => {
          if (agreesInternational(`${prefix}${callingCode}${rest}`)) compared++;
        },
      ),
      { numRuns: 4000 },
    );
    const regions: CountryCode[] = ['US', 'GB', 'SG', 'AU', 'JP', 'KR', 'CN', 'TH', 'FR', 'DE', 'CA'];
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.stringMatching(/^[0-9]{7,13}$/), (region, digits) => {
        if (agreesNational(digits, region)) compared++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(compared > 6000, `compared ${compared}`);
  });

  test('finds the same phones as before in text, libphonenumber or not', () => {
    const text =
      'Call +1 (617) 830-4054, +44 20 7946 0958, 0044 20 7946 0958, +82 2 1950 5688 or +61 4 8893 4596; ' +
      'US office (415) 555-2671, 1-800-555-0199; Tel: 06 12 34 56 78; +84 912 345 678 is Vietnamese.';
    assert.deepEqual(
      scan(text)
        .filter((found) => found.type === 'phone')
        .map((found) => found.value),
      [
        '+1 (617) 830-4054',
        '+44 20 7946 0958',
        '0044 20 7946 0958',
        '+82 2 1950 5688',
        '+61 4 8893 4596',
        '(415) 555-2671',
        '1-800-555-0199',
        '06 12 34 56 78',
      ],
    );
  });
});

describe('detector gates', () => {
  const ALL = defaultDetectors();
  const SAMPLES = [
    'Nguyễn Văn An, số 12 Lý Thường Kiệt, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh',
    'Nguye\u0302\u0303n Va\u0306n An, Phu\u031bo\u031b\u0300ng 1',
    'CCCD: 079203001234, STK 0071000123456 Vietcombank, MST 0314409058-002',
    'Customer: Jane Roe, DOB: 12/05/1990, SSN 123-45-6789, passport C03005988',
    '5561 Marquardt Port Suite 661, Lake Elenaview, NV 89012',
    'IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, ip 192.168.1.20 and fe80::1',
    'lan.nguyen@example.com.vn, +84 912 345 678, (415) 555-2671',
    'AKIAIOSFODNN7EXAMPLE aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    'postgres://admin:S3cr3tP4ss@db.local/app and api_key = "A1b2C3d4E5f6G7h8"',
    '{"type": "service_account", "private_key_id": "' + 'a1b2c3d4e5'.repeat(4) + '"}',
    'x'.repeat(1100) + ' Tel: 0912 345 678, Mr. John Smith',
    'write to lan@example.com today',
    'Số CMND: 123456789',
    'Họ tên: TRẦN THỊ BÍCH NGỌC',
    'token ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8 and glpat-x1Y2z3W4v5U6t7S8r9Q0',
    'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    'sk-proj-' + 'Ab1_'.repeat(12) + ' sk-ant-api03-' + 'A1b2_'.repeat(9),
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.dGVzdHNpZw',
    'DefaultEndpointsProtocol=https;AccountKey=' + 'Ab1+'.repeat(22) + '==;',
    'key AIzaSyD-1234567890abcdefghijklmnopqrstu',
    'see https://user:hunter22@example.com/x',
  ];

  test('only skip texts in which the detector finds nothing', () => {
    const unit = fc.constantFrom(
      ...'0123456789 -./()+:@,_=~'.split(''),
      'A',
      'Q~',
      'Đ',
      'é',
      '\u0301',
      'sk-',
      'ghp_',
      'Tel ',
      'Số ',
      'P.',
      'Nguyễn ',
      'John ',
      'DE',
      'AKIA',
      'key=',
      'secret: ',
    );
    const texts = [...SAMPLES, ...fc.sample(fc.string({ unit, maxLength: 60 }), { numRuns: 600, seed: 7 })];
    for (const detector of ALL) {
      const profiled = profiledScanOf(detector);
      assert.ok(profiled !== undefined, `${detector.name} has a fast path`);
      let findings = 0;
      for (const text of texts) {
        if (text === '') continue;
        const ungated: Finding[] = [];
        profiled.scan(new TextProfile(text), budget(), ungated);
        assert.deepEqual(detector.detect(text, budget()), ungated, `${detector.name}: ${text}`);
        findings += ungated.length;
      }
      // the samples must give each detector something to find, or its gate goes untested
      assert.ok(findings > 0, `${detector.name} found something in the samples`);
    }
  });

  test('a copy of a built-in detector with its own detect is run through that detect', () => {
    const email = ALL.find((detector) => detector.name === 'pii.email') as Detector;
    const copy: Detector = { ...email, detect: () => [] };
    assert.equal(profiledScanOf(copy), undefined);
    assert.ok(profiledScanOf(email) !== undefined);
  });
});
