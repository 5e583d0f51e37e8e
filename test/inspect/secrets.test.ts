import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { looksLikeSecret, secretDetectors, shannonEntropy } from '../../src/inspect/detectors/secrets.js';
import { Scanner, defaultDetectors } from '../../src/inspect/index.js';
import type { Finding, FindingType } from '../../src/inspect/types.js';

// Fake credentials are generated here with the right prefixes, lengths and alphabets from a fixed
// seed: they have the shape of real ones and are not real ones.
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = `${ALNUM}+/`;
const URL_SAFE = `${ALNUM}-_`;
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';

let state = 0x2545f491;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
/** `length` characters of `alphabet`, with at least one upper-case letter, one lower-case letter and one digit when the alphabet has them. */
function fake(alphabet: string, length: number): string {
  for (;;) {
    let value = '';
    for (let index = 0; index < length; index++) value += alphabet[Math.floor(random() * alphabet.length)];
    const needs = [/[A-Z]/, /[a-z]/, /[0-9]/].filter((pattern) => pattern.test(alphabet));
    if (needs.every((pattern) => pattern.test(value))) return value;
  }
}

const detectors = secretDetectors();
const NO_DEADLINE = { deadline: Infinity };

function scan(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const detector of detectors) {
    for (const found of detector.detect(text, NO_DEADLINE)) {
      assert.ok(
        found.start >= 0 && found.start < found.end && found.end <= text.length,
        `${detector.name}: bad span`,
      );
      assert.ok(found.confidence >= 0 && found.confidence <= 1);
      assert.equal(found.detector, detector.name);
      findings.push(found);
    }
  }
  return findings;
}

/** The reported (confidence ≥ 0.5) spans of `type`, as the texts they cover. */
function found(text: string, type: FindingType): string[] {
  return scan(text)
    .filter((finding) => finding.type === type && finding.confidence >= 0.5)
    .map((finding) => text.slice(finding.start, finding.end));
}

/** Every reported finding of any type, as `type:text`. */
function reported(text: string): string[] {
  return scan(text)
    .filter((finding) => finding.confidence >= 0.5)
    .map((finding) => `${finding.type}:${text.slice(finding.start, finding.end)}`);
}

describe('secretDetectors', () => {
  test('there is one detector per secret type, in the secret category', () => {
    const types = detectors.flatMap((detector) => detector.types);
    assert.deepEqual(new Set(types).size, types.length);
    assert.deepEqual(
      [...types].sort(),
      [
        'anthropic_key',
        'aws_key',
        'azure_key',
        'connection_string',
        'gcp_key',
        'generic_secret',
        'github_token',
        'gitlab_token',
        'jwt',
        'openai_key',
        'private_key',
        'slack_token',
        'stripe_key',
        'url_credentials',
      ].sort(),
    );
    for (const detector of detectors) assert.equal(detector.category, 'secret');
  });
});

describe('aws_key', () => {
  const keyId = `AKIA${fake(UPPER32, 16)}`;
  const sessionKeyId = `ASIA${fake(UPPER32, 16)}`;
  const secretKey = fake(BASE64, 40);

  test('access key ids (AKIA, ASIA) are found by their exact format', () => {
    assert.deepEqual(found(`aws_access_key_id = ${keyId}`, 'aws_key'), [keyId]);
    assert.deepEqual(found(`temporary: ${sessionKeyId}.`, 'aws_key'), [sessionKeyId]);
  });

  test('a secret access key is found when named, or next to a key id', () => {
    assert.deepEqual(found(`aws_secret_access_key=${secretKey}`, 'aws_key'), [secretKey]);
    assert.deepEqual(found(`"AWS_SECRET_ACCESS_KEY": "${secretKey}"`, 'aws_key'), [secretKey]);
    assert.deepEqual(found(`${keyId}\n${secretKey}`, 'aws_key'), [keyId, secretKey]);
  });

  test('a 40-character base64 string alone, lower-case or short ids are not AWS keys', () => {
    assert.deepEqual(found(`checksum ${secretKey} ok`, 'aws_key'), []);
    assert.deepEqual(
      found(`akia${fake(UPPER32, 16).toLowerCase()} AKIA1234 AKIA${fake(UPPER32, 15)}`, 'aws_key'),
      [],
    );
    assert.deepEqual(found(`AKIA${fake(UPPER32, 16)}X`, 'aws_key'), []);
  });
});

describe('gcp_key', () => {
  test('API keys (AIza + 35 URL-safe characters) are found', () => {
    const key = `AIza${fake(URL_SAFE, 35)}`;
    assert.deepEqual(found(`https://maps.googleapis.com/maps/api/js?key=${key}&v=3`, 'gcp_key'), [key]);
    assert.deepEqual(found(`AIza${fake(URL_SAFE, 20)}`, 'gcp_key'), []);
  });

  test('a service-account JSON file is found by its key id and type, its key as a private key', () => {
    const keyId = fake(HEX, 40);
    const body = Array.from({ length: 4 }, () => fake(BASE64, 64)).join('\\n');
    const file = JSON.stringify(
      {
        type: 'service_account',
        project_id: 'demo-project',
        private_key_id: keyId,
        private_key: `-----BEGIN PRIVATE KEY-----\n${body.replaceAll('\\n', '\n')}\n-----END PRIVATE KEY-----\n`,
        client_email: 'svc@demo-project.iam.gserviceaccount.com',
      },
      null,
      2,
    );
    const gcp = found(file, 'gcp_key');
    assert.ok(gcp.includes(keyId));
    assert.ok(gcp.includes('"type": "service_account"'));
    const keys = found(file, 'private_key');
    assert.equal(keys.length, 1);
    assert.ok(
      keys[0]?.startsWith('-----BEGIN PRIVATE KEY-----') && keys[0].endsWith('-----END PRIVATE KEY-----'),
    );
  });
});

describe('azure_key', () => {
  test('a storage account key in a connection string is found (the value only)', () => {
    const key = `${fake(BASE64, 86)}==`;
    const connection = `DefaultEndpointsProtocol=https;AccountName=demostore;AccountKey=${key};EndpointSuffix=core.windows.net`;
    assert.deepEqual(found(connection, 'azure_key'), [key]);
  });

  test('the signature of a SAS URL is found; sig= without SAS parameters is only weak', () => {
    const signature = `${fake(ALNUM, 40)}%3D`;
    const url = `https://demostore.blob.core.windows.net/c/report.pdf?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${signature}`;
    assert.deepEqual(found(url, 'azure_key'), [signature]);
    assert.deepEqual(found(`https://example.com/cb?sig=${fake(ALNUM, 30)}`, 'azure_key'), []);
  });

  test('client secrets are found by their Q~ format, or when named client_secret', () => {
    const secret = `${fake(ALNUM, 3)}8Q~${fake(`${ALNUM}_~.-`, 34)}`;
    assert.deepEqual(found(`secret value: ${secret}`, 'azure_key'), [secret]);
    const named = fake(`${ALNUM}_~.-`, 40);
    assert.deepEqual(found(`AZURE_CLIENT_SECRET=${named}`, 'azure_key'), [named]);
  });
});

describe('github_token and gitlab_token', () => {
  test('classic and fine-grained GitHub tokens are found', () => {
    for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']) {
      const token = `${prefix}${fake(ALNUM, 36)}`;
      assert.deepEqual(found(`token: ${token}`, 'github_token'), [token]);
    }
    const fineGrained = `github_pat_${fake(ALNUM, 22)}_${fake(ALNUM, 59)}`;
    assert.deepEqual(found(`GITHUB_TOKEN=${fineGrained}`, 'github_token'), [fineGrained]);
  });

  test('GitLab personal access tokens are found', () => {
    const token = `glpat-${fake(URL_SAFE, 20)}`;
    assert.deepEqual(found(`curl --header "PRIVATE-TOKEN: ${token}"`, 'gitlab_token'), [token]);
  });

  test('short or unprefixed look-alikes are not tokens', () => {
    assert.deepEqual(found(`ghp_${fake(ALNUM, 20)} ghx_${fake(ALNUM, 36)} glpat-short`, 'github_token'), []);
    assert.deepEqual(found('glpat-short and glpat-', 'gitlab_token'), []);
  });
});

describe('slack_token', () => {
  test('bot and user tokens and webhook URLs are found', () => {
    const bot = `xoxb-${fake(DIGITS, 11)}-${fake(DIGITS, 13)}-${fake(ALNUM, 24)}`;
    const user = `xoxp-${fake(DIGITS, 11)}-${fake(DIGITS, 11)}-${fake(DIGITS, 13)}-${fake(HEX, 32)}`;
    const webhook = `https://hooks.slack.com/services/T${fake(UPPER32, 8)}/B${fake(UPPER32, 10)}/${fake(ALNUM, 24)}`;
    assert.deepEqual(found(`SLACK_BOT_TOKEN=${bot}`, 'slack_token'), [bot]);
    assert.deepEqual(found(`user token ${user}`, 'slack_token'), [user]);
    assert.deepEqual(found(`post to ${webhook} please`, 'slack_token'), [webhook]);
  });

  test('the word xoxo and the bare host are not Slack secrets', () => {
    assert.deepEqual(found('Love, xoxo - see https://hooks.slack.com/ for docs', 'slack_token'), []);
  });
});

describe('stripe_key, openai_key, anthropic_key', () => {
  test('Stripe secret and restricted keys are found', () => {
    const live = `sk_live_${fake(ALNUM, 24)}`;
    const restricted = `rk_live_${fake(ALNUM, 99)}`;
    const testKey = `sk_test_${fake(ALNUM, 24)}`;
    assert.deepEqual(found(`${live} ${restricted} ${testKey}`, 'stripe_key'), [live, restricted, testKey]);
    assert.deepEqual(found(`pk_live_${fake(ALNUM, 24)}`, 'stripe_key'), []);
  });

  test('OpenAI project and legacy keys are found', () => {
    const project = `sk-proj-${fake(URL_SAFE, 74)}T3BlbkFJ${fake(URL_SAFE, 74)}`;
    const legacy = `sk-${fake(ALNUM, 20)}T3BlbkFJ${fake(ALNUM, 20)}`;
    assert.deepEqual(found(`OPENAI_API_KEY=${project}`, 'openai_key'), [project]);
    assert.deepEqual(found(`key ${legacy}.`, 'openai_key'), [legacy]);
  });

  test('Anthropic keys are Anthropic keys, not OpenAI keys', () => {
    const key = `sk-ant-api03-${fake(URL_SAFE, 93)}AA`;
    assert.deepEqual(found(`ANTHROPIC_API_KEY=${key}`, 'anthropic_key'), [key]);
    assert.deepEqual(found(`ANTHROPIC_API_KEY=${key}`, 'openai_key'), []);
  });

  test('sk- inside ordinary words and short sk- strings are not keys', () => {
    const prose =
      'A risk-free task-force used sk-learn; the desk-top disk-based sk-1234 and sk-abcdefghij were fine.';
    assert.deepEqual(found(prose, 'openai_key'), []);
    assert.deepEqual(reported(prose), []);
  });
});

describe('private_key', () => {
  const body = Array.from({ length: 6 }, () => fake(BASE64, 64)).join('\n');

  test('a PEM private key block is found from BEGIN to END', () => {
    for (const label of [
      'RSA PRIVATE KEY',
      'PRIVATE KEY',
      'EC PRIVATE KEY',
      'OPENSSH PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
    ]) {
      const block = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
      assert.deepEqual(found(`key:\n${block}\nthanks`, 'private_key'), [block]);
    }
  });

  test('an encrypted PEM with headers and a key without END line are found too', () => {
    const block = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${fake(HEX, 32).toUpperCase()}\n\n${body}\n-----END RSA PRIVATE KEY-----`;
    assert.deepEqual(found(block, 'private_key'), [block]);
    const cut = `-----BEGIN RSA PRIVATE KEY-----\n${body}`;
    assert.deepEqual(found(`${cut}\n... (truncated)`, 'private_key'), [`${cut}\n`]);
  });

  test('public keys and certificates are not private keys', () => {
    const text = `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
    assert.deepEqual(found(text, 'private_key'), []);
  });
});

describe('jwt', () => {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'u1', iat: 1700000000 })}.${fake(URL_SAFE, 43)}`;

  test('a signed JWT (header decodes to JSON with alg) is found', () => {
    assert.deepEqual(found(`Authorization: Bearer ${token}`, 'jwt'), [token]);
    const unsigned = `${encode({ alg: 'none' })}.${encode({ sub: 'u1' })}.`;
    assert.deepEqual(found(`token=${unsigned} end`, 'jwt'), [unsigned]);
  });

  test('three dotted base64 parts whose header has no alg, and version numbers, are not JWTs', () => {
    const notJwt = `${encode({ foo: 'bar' })}.${encode({ x: 1 })}.${fake(URL_SAFE, 20)}`;
    assert.deepEqual(found(`${notJwt} version 1.2.3 file.tar.gz`, 'jwt'), []);
  });
});

describe('url_credentials and connection_string', () => {
  test('credentials in a web URL are url_credentials (span: user:password)', () => {
    assert.deepEqual(found('clone https://alice:s3cr3tP%40ss@example.com/repo.git', 'url_credentials'), [
      'alice:s3cr3tP%40ss',
    ]);
    assert.deepEqual(found('ftp://backup:Zx81-Qw9@files.example.org/', 'url_credentials'), [
      'backup:Zx81-Qw9',
    ]);
  });

  test('a raw @ in the user or the password of a URL does not hide the password', () => {
    // URL parsers split the user info at the last @ before the host, and at its first colon
    // the user, an address, is reported as an e-mail address; the password on its own
    const smtp = 'SMTP_URL=smtp://alerts@example.com:Mq7-xZ2pL@mail.example.com:587';
    assert.deepEqual(found(smtp, 'url_credentials'), ['Mq7-xZ2pL']);
    const scanned = new Scanner(defaultDetectors()).scanText(smtp);
    assert.deepEqual(
      scanned.findings.map((finding) => [finding.type, smtp.slice(finding.start, finding.end)]),
      [
        ['email', 'alerts@example.com'],
        ['url_credentials', 'Mq7-xZ2pL'],
      ],
    );
    assert.deepEqual(found('ftp://backup:p@ss-W0rd@files.example.org/', 'url_credentials'), [
      'backup:p@ss-W0rd',
    ]);
    assert.deepEqual(found('postgres://app@corp:Sup3r@S3cret@db.internal/app', 'connection_string'), [
      'Sup3r@S3cret',
    ]);
    const url = new URL('smtp://alerts@example.com:Mq7-xZ2pL@mail.example.com:587');
    assert.equal(decodeURIComponent(url.password), 'Mq7-xZ2pL');
  });

  test('a URL user info does not run across a list or a query to a later address', () => {
    const texts = [
      'https://admin@intranet.example.com:8443,jane@example.com',
      'http://user@host:80|ops@corp.com',
      'redis://:changeme@cache;owner=ops@corp.com',
    ];
    for (const text of texts) assert.deepEqual(reported(text), [], text);
    // a placeholder password stays one when a query with an address follows
    assert.deepEqual(found('https://user:xxxx@host.com:8080,cc=a@b.com', 'url_credentials'), []);
    // a password that holds ; or & is still read up to the @
    assert.deepEqual(found('amqps://svc:Q9v!x;T2@mq.example.com/vhost', 'connection_string'), ['Q9v!x;T2']);
    assert.deepEqual(found('https://bob:pa=ss&w0rd@example.com/', 'url_credentials'), ['bob:pa=ss&w0rd']);
  });

  test('URLs without a password, ports and e-mail addresses are not credentials', () => {
    const text = 'see https://example.com:8080/x, ssh://git@github.com/org/repo and mail bob@example.com';
    assert.deepEqual(reported(text), []);
  });

  test('placeholder passwords in URLs are not reported', () => {
    assert.deepEqual(
      found('https://user:<password>@host.example/ and https://user:${PASSWORD}@host/', 'url_credentials'),
      [],
    );
  });

  test('database, queue and cache URLs report the password as connection_string', () => {
    const text =
      'DATABASE_URL=postgres://app:Sup3rS3cret@db.internal:5432/app\n' +
      'REDIS_URL=redis://:p4ssw0rd-X@cache:6379/0\n' +
      'AMQP=amqps://svc:Q9v!xT2@mq.example.com/vhost\n' +
      'MONGO=mongodb+srv://reader:Rd9Kq2LmZ@cluster0.example.mongodb.net/db';
    assert.deepEqual(found(text, 'connection_string'), ['Sup3rS3cret', 'p4ssw0rd-X', 'Q9v!xT2', 'Rd9Kq2LmZ']);
    assert.deepEqual(found(text, 'url_credentials'), []);
  });

  test('Password=…; and Pwd= in key-value connection strings are found', () => {
    const ado =
      'Server=tcp:demo.database.windows.net,1433;Database=db;User ID=admin;Password=Pa55w0rd!x;Encrypt=true;';
    assert.deepEqual(found(ado, 'connection_string'), ['Pa55w0rd!x']);
    const odbc = 'Driver={ODBC Driver 18};Server=db;Uid=sa;Pwd=hunter22;';
    assert.deepEqual(found(odbc, 'connection_string'), ['hunter22']);
    assert.deepEqual(found('Server=db;User ID=sa;Password=<your-password>;', 'connection_string'), []);
  });
});

describe('generic_secret', () => {
  test('high-entropy values assigned to secret-sounding names are found (the value only)', () => {
    const apiKey = fake(ALNUM, 32);
    const password = 'Tr0ub4dor&3x!q';
    assert.deepEqual(found(`api_key = "${apiKey}"`, 'generic_secret'), [apiKey]);
    assert.deepEqual(found(`{"dbPassword": "${password}"}`, 'generic_secret'), [password]);
    assert.deepEqual(found(`export SESSION_SECRET=${apiKey}`, 'generic_secret'), [apiKey]);
    assert.deepEqual(found(`auth_token: ${apiKey}`, 'generic_secret'), [apiKey]);
  });

  test('short, low-entropy, placeholder, code and id values are not secrets (precision first)', () => {
    const texts = [
      'password = "hunter2"',
      'token = getToken(request)',
      'api_key = process.env.API_KEY',
      'secret: <your-secret-here>',
      'API_KEY=your_api_key_here',
      'password: ************',
      'request_token: 123e4567-e89b-12d3-a456-426614174000',
      'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
      'secret_santa: alphabetically',
      'password_reset_url: https://example.com/reset/abc',
    ];
    for (const text of texts) assert.deepEqual(found(text, 'generic_secret'), [], text);
  });

  test('looksLikeSecret and shannonEntropy behave as documented', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.equal(looksLikeSecret('q8Zt2LmW9xYp4RvB7nKd'), true);
    assert.equal(looksLikeSecret('correcthorsebatterystaple'), false);
    assert.equal(looksLikeSecret('xxxxxxxxxxxxxxxx'), false);
  });
});

describe('benign text', () => {
  test('UUIDs, git SHAs, hashes in prose, lorem ipsum and sk- words give no secret findings', () => {
    const text = [
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
      'Request 3f2b8c1e-9a4d-4e2b-8f1a-2c3d4e5f6a7b failed; retry 123e4567-e89b-12d3-a456-426614174000.',
      'Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (short 9fceb02).',
      'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 and md5 d41d8cd98f00b204e9800998ecf8427e.',
      'The password policy requires 12 characters; the token bucket refills every second.',
      'Use the Authorization header; never share your secret key. Ask-me-anything, risk-averse, sk-learn.',
      'Version 2.14.3, build 20240917.1, https://docs.example.com/guide?id=42&lang=en#section-3',
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    ].join('\n');
    assert.deepEqual(reported(text), []);
  });
});

describe('robustness', () => {
  test('adversarial inputs return findings with valid spans and do not throw', () => {
    const inputs = [
      'AKIA'.repeat(50_000),
      '-----BEGIN RSA PRIVATE KEY-----'.repeat(20_000),
      `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(200_000)}`,
      'eyJ'.repeat(100_000) + '.' + 'a'.repeat(10_000) + '.',
      `https://${'a:'.repeat(50_000)}@x`,
      `${'://'.repeat(30_000)}@`,
      `password=${'x'.repeat(300_000)}`,
      `api_key = ${'Ab1'.repeat(100_000)}`,
      'sk-'.repeat(100_000),
      '\uD800\uDC00\uD800'.repeat(10_000) + 'ghp_' + '\uDFFF'.repeat(1000),
      Buffer.from(Array.from({ length: 100_000 }, (_, index) => (index * 7919) % 256)).toString('latin1'),
      'x'.repeat(10 * 1024 * 1024),
    ];
    for (const text of inputs) scan(text);
  });

  test('detectors stop at the deadline instead of running on', () => {
    const text = `AKIA${fake(UPPER32, 16)} `.repeat(100_000);
    for (const detector of detectors) {
      const findings = detector.detect(text, { deadline: 0 });
      assert.ok(findings.length <= 1024, detector.name);
    }
  });

  test('any string gives valid findings (generated)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.stringMatching(
            /^(?:AKIA|ghp_|sk-|xoxb-|AIza|eyJ|-----BEGIN |https?:\/\/|[A-Za-z0-9+/_=.:@;-]){0,60}$/,
          ),
        ),
        (text) => {
          scan(text);
        },
      ),
      { numRuns: 400 },
    );
  });
});
