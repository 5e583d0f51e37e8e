import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrubbingLogger } from '../../src/server/index.js';

test('upstream log lines have every configured secret value masked, in messages and nested fields', () => {
  const lines: { level: string; fields: object; message: string }[] = [];
  const sink = {
    info: (fields: object, message: string) => lines.push({ level: 'info', fields, message }),
    warn: (fields: object, message: string) => lines.push({ level: 'warn', fields, message }),
    error: (fields: object, message: string) => lines.push({ level: 'error', fields, message }),
  };
  const logger = scrubbingLogger(sink, ['files-api-token-1234', 'Bearer demo-mail-token', 'abc']);
  logger.info(
    { server: 'files', stderr: 'starting with token files-api-token-1234' },
    'upstream "files" stderr',
  );
  logger.warn({ nested: { list: ['x Bearer demo-mail-token y'] } }, 'got Bearer demo-mail-token back');
  logger.error({ err: new Error('auth failed for files-api-token-1234') }, 'upstream error');
  const text = JSON.stringify(lines);
  assert.equal(text.includes('files-api-token-1234'), false);
  assert.equal(text.includes('demo-mail-token'), false);
  assert.match(text, /starting with token \[REDACTED\]/);
  assert.match(text, /got \[REDACTED\] back/);
  logger.info({}, 'abcdef');
  assert.equal(lines.at(-1)?.message, 'abcdef', 'values shorter than 4 characters are not masked');
});
