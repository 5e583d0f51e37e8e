import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/index.js';
import { loadError, policyWorkspace, requestFor } from './helpers.js';

const SUPPORT_READS = `@id("support-reads")
@reason("support reads customers")
permit (principal in Role::"support", action == Action::"crm__read_customer", resource);
`;

void test('a call no policy permits is denied by default, naming the agent and the tool', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': SUPPORT_READS });
  const service = await load();
  const decision = service.decide(requestFor(loaded, 'finance-bot', 'crm__read_customer', { id: 'c1' }));
  assert.deepEqual(decision, {
    kind: 'deny',
    policies: [],
    message: 'no policy permits finance-bot to call crm__read_customer; deny by default',
  });
});

void test('a permit allows and names the permitting policy', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': SUPPORT_READS });
  const decision = (await load()).decide(
    requestFor(loaded, 'support-bot', 'crm__read_customer', { id: 'c1' }),
  );
  assert.deepEqual(decision, {
    kind: 'allow',
    policies: [{ id: 'support-reads', reason: 'support reads customers' }],
  });
});

void test('a forbid wins over a permit, and the message names each forbid with its reason', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': SUPPORT_READS,
    'b.cedar': `@id("no-interns")
@reason("interns may not see customer data")
forbid (principal, action in Action::"server:crm", resource) when { principal.clearance < resource.classification };

forbid (principal == Agent::"intern-bot", action, resource);
`,
  });
  const service = await load();
  const decision = service.decide(requestFor(loaded, 'intern-bot', 'crm__read_customer', { id: 'c1' }));
  assert.equal(decision.kind, 'deny');
  assert.deepEqual(
    decision.policies.map((policy) => policy.id).sort(),
    ['b.cedar:5', 'no-interns'],
    'only the forbids determine a deny, not the permit that matched too',
  );
  assert.match(decision.message, /^intern-bot may not call crm__read_customer: forbidden by /);
  assert.match(decision.message, /policy "no-interns" \(interns may not see customer data\)/);
  assert.match(decision.message, /policy "b\.cedar:5"/);
  assert.equal(
    service.decide(requestFor(loaded, 'support-bot', 'crm__read_customer', { id: 'c1' })).kind,
    'allow',
  );
});

void test('a permit with @approval gives approval_required with the approval text, policy id and reason', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("small-transfers")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 1000 };

@id("big-transfers")
@reason("large sums need two people")
@approval("a finance manager must approve transfers of 1000 or more")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount >= 1000 };
`,
  });
  const service = await load();
  assert.deepEqual(service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 999 })), {
    kind: 'allow',
    policies: [{ id: 'small-transfers', reason: null }],
  });
  assert.deepEqual(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 1000 })),
    {
      kind: 'approval_required',
      policies: [{ id: 'big-transfers', reason: 'large sums need two people' }],
      message:
        'finance-bot needs a person\'s approval to call payments__transfer: a finance manager must approve transfers of 1000 or more [policy "big-transfers": large sums need two people]',
      approval: {
        reason:
          'a finance manager must approve transfers of 1000 or more [policy "big-transfers": large sums need two people]',
        policyIds: ['big-transfers'],
        required: 1,
        expirySeconds: null,
        interactive: false,
        groups: [],
      },
    },
  );
});

void test('@approvals, @approvalExpiry, @interactive and @approvers shape the required approval, strictest first', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("two-people")
@approval("two finance managers")
@approvals("2")
@approvalExpiry("30m")
@approvers("finance")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource);

@id("security-too")
@approval("security signs off")
@approvalExpiry("10m")
@approvers("security, finance")
@interactive
permit (principal in Role::"finance", action in Action::"risk:financial", resource);
`,
  });
  const decision = (await load()).decide(
    requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 1 }),
  );
  assert.equal(decision.kind, 'approval_required');
  assert.deepEqual(decision.kind === 'approval_required' ? decision.approval : null, {
    reason: 'two finance managers [policy "two-people"]; security signs off [policy "security-too"]',
    policyIds: ['two-people', 'security-too'],
    required: 2,
    expirySeconds: 600,
    interactive: false,
    groups: ['finance', 'security'],
  });
});

void test('approval annotations are checked: values, and only on policies with @approval', async (t) => {
  const error = await loadError(t, {
    'a.cedar': `@approvals("2")
permit (principal, action == Action::"crm__read_customer", resource);

@approval("x")
@approvals("many")
@approvalExpiry("forever")
@approvers("Not A Group")
@interactive("maybe")
permit (principal, action == Action::"crm__read_customer", resource);
`,
  });
  assert.equal(error.code, 'WARDEN_POLICY_INVALID');
  assert.match(error.message, /a\.cedar:1:1 +@approvals only applies to a policy with @approval/);
  assert.match(error.message, /@approvals needs a whole number of people from 1 to 10/);
  assert.match(error.message, /@approvalExpiry needs a duration from 10s to 7d/);
  assert.match(error.message, /@approvers needs a comma-separated list of approver groups/);
  assert.match(error.message, /@interactive takes no value/);
});

void test('policies see content-inspection findings: no restricted data to external tools', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("support-mails")
permit (principal in Role::"support", action == Action::"mail__send_email", resource);

@id("no-restricted-outside")
@reason("restricted personal data never leaves by email")
forbid (principal, action in Action::"risk:external_communication", resource)
when { context.findings.maxClass >= 3 || context.findings.types.contains("vn_cccd") || context.findings.injectionScore > 80 };
`,
  });
  const service = await load();
  const request = requestFor(loaded, 'support-bot', 'mail__send_email', { to: 'a@example.com' });
  assert.equal(service.decide(request).kind, 'allow', 'no findings: allowed');
  const none = { counts: {}, classes: [], maxClass: null, pii: 0, secrets: 0, injectionScore: 0 };
  assert.equal(
    service.decide({
      ...request,
      findings: {
        ...none,
        counts: { email: 2 },
        classes: ['confidential'],
        maxClass: 'confidential',
        pii: 2,
      },
    }).kind,
    'allow',
  );
  const denied = service.decide({
    ...request,
    findings: { ...none, counts: { vn_cccd: 1 }, classes: ['restricted'], maxClass: 'restricted', pii: 1 },
  });
  assert.equal(denied.kind, 'deny');
  assert.deepEqual(denied.policies, [
    { id: 'no-restricted-outside', reason: 'restricted personal data never leaves by email' },
  ]);
  assert.equal(service.decide({ ...request, findings: { ...none, injectionScore: 0.93 } }).kind, 'deny');
  // tools/list: a policy on findings cannot hide the tool, since a call's findings are not known yet
  const { arguments: _arguments, ...listing } = request;
  assert.equal(service.mayCall(listing), true);
});

void test('an approval permit and a plain permit together still require approval', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("plain") permit (principal, action == Action::"payments__transfer", resource);
@id("ask") @approval permit (principal, action == Action::"payments__transfer", resource);
`,
  });
  const decision = (await load()).decide(
    requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5 }),
  );
  assert.equal(decision.kind, 'approval_required');
  assert.deepEqual(decision.policies.map((policy) => policy.id).sort(), ['ask', 'plain']);
  assert.match(
    decision.kind === 'approval_required' ? decision.message : '',
    /a person must approve this call \[policy "ask"\]/,
  );
});

void test('a forbid wins over an approval permit', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("ask") @approval("ask a manager") permit (principal, action == Action::"payments__transfer", resource);
@id("never-urgent") @reason("urgent transfers are a fraud pattern")
forbid (principal, action, resource) when { context.arguments has urgent && context.arguments.urgent };
`,
  });
  const decision = (await load()).decide(
    requestFor(loaded, 'finance-bot', 'payments__transfer', { urgent: true }),
  );
  assert.equal(decision.kind, 'deny');
  assert.deepEqual(decision.policies, [
    { id: 'never-urgent', reason: 'urgent transfers are a fraud pattern' },
  ]);
});

void test('an evaluation error denies the call with the error, even when a permit matched (fail closed)', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("anyone") permit (principal, action == Action::"payments__transfer", resource);
@id("overflowing") forbid (principal, action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount * 1000000000000 > 5 };
`,
  });
  const service = await load();
  assert.equal(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 0 })).kind,
    'allow',
  );
  const request = requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 9_000_000_000 });
  const decision = service.decide(request);
  assert.equal(decision.kind, 'deny');
  assert.match(
    decision.kind === 'deny' ? decision.message : '',
    /^policy evaluation failed for finance-bot calling payments__transfer, so the call is denied: policy "overflowing": .*overflow/,
  );
  assert.deepEqual(decision.policies, []);
  assert.match(service.explain(request).errors[0] ?? '', /overflowing/);
});

void test('an undeclared tool is denied by default without evaluating anything', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': 'permit (principal, action, resource);\n' });
  const request = requestFor(loaded, 'support-bot', 'crm__read_customer');
  request.tool = { ...request.tool, name: 'crm__drop_database' };
  const decision = (await load()).decide(request);
  assert.equal(decision.kind, 'deny');
  assert.match(
    decision.kind === 'deny' ? decision.message : '',
    /crm__drop_database is not a tool declared in the configuration/,
  );
});

void test('a malformed request is a deny, never a throw', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': 'permit (principal, action, resource);\n' });
  const request = requestFor(loaded, 'support-bot', 'crm__read_customer');
  const broken = { ...request, agent: { ...request.agent, roles: null } } as unknown as typeof request;
  const decision = (await load()).decide(broken);
  assert.equal(decision.kind, 'deny');
  assert.match(
    decision.kind === 'deny' ? decision.message : '',
    /^policy evaluation failed for support-bot calling crm__read_customer/,
  );
});

void test('only declared arguments reach Cedar, each with its declared Cedar type', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `permit (principal, action == Action::"payments__transfer", resource)
when {
  context.arguments has amount && context.arguments has note && context.arguments has rate &&
  context.arguments has urgent && context.arguments has tags &&
  context.arguments.rate.lessThan(decimal("1.5")) && context.arguments.tags.contains("payroll")
};
`,
  });
  const service = await load();
  const args = {
    amount: 5,
    note: 'lương tháng 1',
    rate: 1.25,
    urgent: false,
    tags: ['payroll'],
    secret: 'hunter2',
  };
  const explanation = service.explain(requestFor(loaded, 'finance-bot', 'payments__transfer', args));
  assert.equal(explanation.decision.kind, 'allow');
  assert.deepEqual(explanation.context?.arguments, {
    amount: 5,
    note: 'lương tháng 1',
    rate: { __extn: { fn: 'decimal', arg: '1.25' } },
    urgent: false,
    tags: ['payroll'],
  });
  assert.equal(
    JSON.stringify(explanation).includes('hunter2'),
    false,
    'an undeclared argument never reaches Cedar',
  );
  assert.equal(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { ...args, rate: '1.5000' })).kind,
    'deny',
    'decimals compare as decimals',
  );
});

void test('a declared argument of the wrong type is denied with a clear message, and checkArguments names it', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': 'permit (principal, action, resource);\n' });
  const service = await load();
  const cases: [JsonObject, RegExp][] = [
    [{ amount: '5' }, /argument "amount" must be a whole number .*, not a string/],
    [{ amount: 1.5 }, /argument "amount" must be a whole number .*, not a number with a fraction/],
    [{ amount: null }, /argument "amount" must be a whole number .*, not null/],
    [{ rate: 1.23456 }, /argument "rate" must be a decimal number with at most 4 digits/],
    [{ rate: '1e3' }, /argument "rate" must be a decimal/],
    [{ urgent: 'yes' }, /argument "urgent" must be true or false/],
    [{ tags: ['a', 1] }, /argument "tags" must be an array of strings, not an array with other values/],
    [{ note: { __entity: { type: 'Agent', id: 'x' } } }, /argument "note" must be a string, not an object/],
  ];
  for (const [args, problem] of cases) {
    const decision = service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', args));
    assert.equal(decision.kind, 'deny', JSON.stringify(args));
    assert.match(decision.kind === 'deny' ? decision.message : '', problem);
    assert.match(
      decision.kind === 'deny' ? decision.message : '',
      /do not have the types declared for policy/,
    );
    const error = service.checkArguments('payments__transfer', args);
    assert.equal(error?.code, 'WARDEN_INVALID_ARGUMENTS');
    assert.match(error?.message ?? '', problem);
  }
  assert.equal(service.checkArguments('payments__transfer', { amount: 5, rate: '12', other: {} }), null);
  assert.equal(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { rate: 12 })).kind,
    'allow',
  );
});

void test('hour and weekday are in policy.timezone', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("office-hours") permit (principal, action == Action::"crm__read_customer", resource)
when { context.weekday >= 1 && context.weekday <= 5 && context.hour >= 8 && context.hour < 18 };
`,
  });
  const service = await load();
  const at = (iso: string) =>
    requestFor(loaded, 'support-bot', 'crm__read_customer', {}, { time: Date.parse(iso) });
  // Asia/Ho_Chi_Minh is UTC+7.
  const tuesdayMorning = service.explain(at('2026-01-06T03:00:00Z'));
  assert.deepEqual([tuesdayMorning.derived?.hour, tuesdayMorning.derived?.weekday], [10, 2]);
  assert.equal(tuesdayMorning.decision.kind, 'allow');
  assert.equal(service.decide(at('2026-01-06T11:00:00Z')).kind, 'deny', '18:00 local');
  const saturday = service.explain(at('2026-01-09T17:30:00Z'));
  assert.deepEqual(
    [saturday.derived?.hour, saturday.derived?.weekday],
    [0, 6],
    'Friday 17:30 UTC is Saturday 00:30 local',
  );
  assert.equal(saturday.decision.kind, 'deny');
  assert.equal(service.explain(at('2026-01-09T17:30:00Z'), { weekday: 5, hour: 9 }).decision.kind, 'allow');
});

void test('the client address is an ipaddr, IPv4-mapped addresses are unwrapped, unparseable ones left out', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `permit (principal, action == Action::"crm__read_customer", resource)
when { context has clientIp && context.clientIp.isInRange(ip("10.0.0.0/8")) };
`,
  });
  const service = await load();
  const from = (clientIp: string | null) =>
    service.decide(requestFor(loaded, 'support-bot', 'crm__read_customer', {}, { clientIp })).kind;
  assert.equal(from('10.1.2.3'), 'allow');
  assert.equal(from('::ffff:10.1.2.3'), 'allow');
  assert.equal(from('192.168.1.1'), 'deny');
  assert.equal(from('fe80::1%eth0'), 'deny');
  assert.equal(from(null), 'deny');
});

void test('listing (mayCall) sees the client address, so an address-bound tool is listed only from that address', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `permit (principal, action == Action::"crm__read_customer", resource)
when { context has clientIp && context.clientIp.isInRange(ip("10.0.0.0/8")) };
`,
  });
  const service = await load();
  const listedFrom = (clientIp: string | null): boolean => {
    const { arguments: _arguments, ...request } = requestFor(
      loaded,
      'support-bot',
      'crm__read_customer',
      {},
      { clientIp },
    );
    return service.mayCall(request);
  };
  assert.equal(listedFrom('10.1.2.3'), true);
  assert.equal(listedFrom('192.168.1.1'), false);
  assert.equal(listedFrom(null), false);
});

void test('agent and tool attributes, roles, servers, session counts and data class ranks are visible to policies', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("everything") permit (principal in Role::"support", action in Action::"server:mail", resource in Server::"mail")
when {
  principal.name == "support-bot" && principal.owner == "lan@example.com" &&
  principal.clearance == DataClass::"confidential".rank && principal.clearanceName == "confidential" &&
  resource.name == "mail__send_email" && resource.server == "mail" && resource.risk == "external_communication" &&
  resource.classification == -1 && resource.classificationName == "" && resource.untrustedOutput &&
  context.session.callCount == 7 && context.session.toolCallCount == 2 && action in Action::"risk:external_communication"
};
`,
  });
  const service = await load();
  const session = { id: 's', callCount: 7, toolCallCount: 2 };
  assert.equal(
    service.decide(requestFor(loaded, 'support-bot', 'mail__send_email', {}, { session })).kind,
    'allow',
  );
  assert.equal(
    service.decide(
      requestFor(loaded, 'support-bot', 'mail__send_email', {}, { session: { ...session, callCount: 6 } }),
    ).kind,
    'deny',
  );
});
