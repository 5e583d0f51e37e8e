import { FINDING_TYPE_NAMES } from '../../src/inspect/types.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { cedarSchemaText, generateCedarSchema } from '../../src/policy/index.js';
import { policyWorkspace } from './helpers.js';

void test('the generated schema has the entity types, with memberships and attribute types', async (t) => {
  const { loaded } = await policyWorkspace(t, {});
  const schema = generateCedarSchema(loaded.config);
  assert.equal(cedar.checkParseSchema(schema).type, 'success');
  const namespace = schema[''];
  assert.ok(namespace, 'the schema has no namespace, so policies say Role::"support"');
  assert.deepEqual(Object.keys(namespace.entityTypes).sort(), [
    'Agent',
    'DataClass',
    'Model',
    'Role',
    'Server',
    'Tool',
  ]);
  assert.deepEqual(namespace.entityTypes.Agent, {
    memberOfTypes: ['Role'],
    shape: {
      type: 'Record',
      attributes: {
        name: { type: 'String', required: true },
        owner: { type: 'String', required: true },
        clearance: { type: 'Long', required: true },
        clearanceName: { type: 'String', required: true },
      },
    },
  });
  assert.deepEqual(namespace.entityTypes.Tool, {
    memberOfTypes: ['Server'],
    shape: {
      type: 'Record',
      attributes: {
        name: { type: 'String', required: true },
        server: { type: 'String', required: true },
        risk: { type: 'String', required: true },
        classification: { type: 'Long', required: true },
        classificationName: { type: 'String', required: true },
        untrustedOutput: { type: 'Boolean', required: true },
      },
    },
  });
  assert.deepEqual(namespace.entityTypes.DataClass, {
    shape: { type: 'Record', attributes: { rank: { type: 'Long', required: true } } },
  });
});

void test('each declared tool is an action in its server group and its risk group, from agents to tools', async (t) => {
  const { loaded } = await policyWorkspace(t, {});
  const actions = generateCedarSchema(loaded.config)['']!.actions;
  assert.deepEqual(Object.keys(actions).sort(), [
    'crm__delete_customer',
    'crm__export_customers',
    'crm__read_customer',
    'mail__send_email',
    'models',
    'payments__transfer',
    'risk:delete',
    'risk:external_communication',
    'risk:financial',
    'risk:read',
    'risk:write',
    'server:crm',
    'server:mail',
    'server:payments',
  ]);
  assert.deepEqual(actions.crm__delete_customer?.memberOf, [{ id: 'server:crm' }, { id: 'risk:delete' }]);
  assert.deepEqual(actions.payments__transfer?.memberOf, [
    { id: 'server:payments' },
    { id: 'risk:financial' },
  ]);
  assert.deepEqual(actions.crm__read_customer?.appliesTo?.principalTypes, ['Agent']);
  assert.deepEqual(actions.crm__read_customer?.appliesTo?.resourceTypes, ['Tool']);
  assert.deepEqual(actions['server:crm'], {}, 'groups apply to nothing themselves');
});

void test('the context holds the declared arguments, all optional and typed, plus time, client address and session counts', async (t) => {
  const { loaded } = await policyWorkspace(t, {});
  const context = generateCedarSchema(loaded.config)['']!.actions.payments__transfer?.appliesTo?.context as
    { attributes: Record<string, unknown> } | undefined;
  const findings = context?.attributes.findings as { attributes: Record<string, unknown> } | undefined;
  assert.deepEqual(Object.keys(findings?.attributes ?? {}).sort(), [
    'classes',
    'counts',
    'injectionScore',
    'maxClass',
    'pii',
    'secrets',
    'types',
  ]);
  assert.deepEqual(
    Object.keys((findings?.attributes.counts as { attributes: object }).attributes).sort(),
    [...FINDING_TYPE_NAMES].sort(),
  );
  delete context?.attributes.findings;
  assert.deepEqual(context, {
    type: 'Record',
    attributes: {
      arguments: {
        type: 'Record',
        required: true,
        attributes: {
          amount: { type: 'Long', required: false },
          to_account: { type: 'String', required: false },
          note: { type: 'String', required: false },
          rate: { type: 'Extension', name: 'decimal', required: false },
          urgent: { type: 'Boolean', required: false },
          tags: { type: 'Set', element: { type: 'String' }, required: false },
        },
      },
      hour: { type: 'Long', required: true },
      weekday: { type: 'Long', required: true },
      clientIp: { type: 'Extension', name: 'ipaddr', required: false },
      session: {
        type: 'Record',
        required: true,
        attributes: {
          callCount: { type: 'Long', required: true },
          toolCallCount: { type: 'Long', required: true },
          untrusted: { type: 'Boolean', required: true },
          maxClassification: { type: 'Long', required: true },
          labels: { type: 'Set', element: { type: 'String' }, required: true },
          riskCounts: {
            type: 'Record',
            required: true,
            attributes: {
              read: { type: 'Long', required: true },
              write: { type: 'Long', required: true },
              delete: { type: 'Long', required: true },
              external_communication: { type: 'Long', required: true },
              financial: { type: 'Long', required: true },
            },
          },
          bytesRead: { type: 'Long', required: true },
          task: { type: 'String', required: true },
        },
      },
    },
  });
});

void test('the schema renders as Cedar schema text for `warden policy check --schema`', async (t) => {
  const { loaded } = await policyWorkspace(t, {});
  const text = cedarSchemaText(generateCedarSchema(loaded.config));
  assert.match(text, /entity Agent in \[Role\]/);
  assert.match(text, /action "crm__read_customer" in \[Action::"server:crm", Action::"risk:read"\]/);
  assert.match(text, /clientIp\?: __cedar::ipaddr/);
});
