import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWardenError } from '../../src/core/index.js';
import { policyWorkspace, requestFor } from './helpers.js';

const ALLOW_READS = '@id("reads") permit (principal, action == Action::"crm__read_customer", resource);\n';

void test('reload swaps in the new policies and a new version', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  const request = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer', { id: 'c1' });
  const before = service.version;
  assert.equal(service.decide(request).kind, 'allow');

  await workspace.writePolicy(
    'b.cedar',
    '@id("no-support") @reason("support is paused") forbid (principal in Role::"support", action, resource);\n',
  );
  const summary = await service.reload();
  assert.notEqual(summary.version, before);
  assert.equal(service.version, summary.version);
  assert.deepEqual(summary.files, [
    { file: 'a.cedar', policies: 1 },
    { file: 'b.cedar', policies: 1 },
  ]);
  const decision = service.decide(request);
  assert.equal(decision.kind, 'deny');
  assert.deepEqual(decision.policies, [{ id: 'no-support', reason: 'support is paused' }]);

  await workspace.writePolicy('b.cedar', null);
  await service.reload();
  assert.equal(service.decide(request).kind, 'allow', 'removing a file removes its policies');
  assert.equal(service.version, before);
});

void test('an invalid new policy set is refused with file:line and the old set keeps serving', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  const request = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer', { id: 'c1' });
  const before = service.version;

  await workspace.writePolicy(
    'a.cedar',
    '@id("reads") forbid (principal, action, resource) when { principal.nope };\n',
  );
  await assert.rejects(service.reload(), (error: unknown) => {
    assert.ok(isWardenError(error, 'WARDEN_POLICY_INVALID'));
    assert.match(error.message, /a\.cedar:1:\d+ {2}.*nope/);
    return true;
  });
  assert.equal(service.version, before);
  assert.deepEqual(service.decide(request), { kind: 'allow', policies: [{ id: 'reads', reason: null }] });

  await workspace.writePolicy('a.cedar', ALLOW_READS.replace('permit', 'forbid'));
  await service.reload();
  assert.equal(service.decide(request).kind, 'deny', 'a valid set after a refused one is taken');
});

void test('concurrent reloads share one load', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  const [first, second] = await Promise.all([service.reload(), service.reload()]);
  assert.equal(first, second);
});

void test('many reloads keep deciding correctly (old preparsed sets are emptied and their ids reused)', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  const request = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer', { id: 'c1' });
  for (let round = 0; round < 20; round += 1) {
    const forbid = round % 2 === 0;
    await workspace.writePolicy('a.cedar', forbid ? ALLOW_READS.replace('permit', 'forbid') : ALLOW_READS);
    await service.reload();
    assert.equal(service.decide(request).kind, forbid ? 'deny' : 'allow', `round ${round}`);
  }
  const other = await workspace.load();
  assert.equal(other.decide(request).kind, 'allow', 'a second service has its own preparsed sets');
  assert.equal(service.decide(request).kind, 'allow');
});

void test('a closed service denies every call', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  service.close();
  const decision = service.decide(requestFor(workspace.loaded, 'support-bot', 'crm__read_customer'));
  assert.equal(decision.kind, 'deny');
  assert.match(decision.kind === 'deny' ? decision.message : '', /the policy service is closed/);
});

void test('a reload whose record cannot be written keeps the old set (record before act)', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': ALLOW_READS });
  const service = await workspace.load();
  const request = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer', { id: 'c1' });
  const before = service.version;
  await workspace.writePolicy('b.cedar', '@id("no-reads") forbid (principal, action, resource);\n');
  let offered = '';
  await assert.rejects(
    service.reload({
      beforeSwap: async (next) => {
        offered = next.version;
        throw new Error('the audit log is down');
      },
    }),
    /the audit log is down/,
  );
  assert.notEqual(offered, before, 'the new set was built and offered for recording');
  assert.equal(service.version, before);
  assert.equal(service.decide(request).kind, 'allow');
});
