import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent, AuditRecorder } from '../../src/audit/index.js';
import { WardenError } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { ToolCallPipeline } from '../../src/pipeline/index.js';
import type {
  CallSession,
  CallerIdentity,
  ToolCallOutcome,
  ToolCallPipelineOptions,
} from '../../src/pipeline/index.js';
import type { Authorizer } from '../../src/policy/index.js';
import type { UpstreamCatalog } from '../../src/upstream/index.js';
import { balanceOf, openGatewayHarness, textOf } from './harness.js';
import type { GatewayHarness } from './harness.js';

function refused(outcome: ToolCallOutcome): WardenError {
  assert.equal(outcome.kind, 'refused', `expected a refusal, got ${JSON.stringify(outcome)}`);
  return (outcome as { error: WardenError }).error;
}

function resultText(outcome: ToolCallOutcome): string {
  assert.equal(
    outcome.kind,
    'result',
    `expected a result, got ${outcome.kind === 'refused' ? outcome.error.message : ''}`,
  );
  return textOf((outcome as { result: { content: unknown } }).result);
}

describe('tool-call pipeline (example policies, demo upstreams, SQLite)', () => {
  let harness: GatewayHarness;
  let requests = 0;

  const call = async (
    agent: string,
    toolName: string,
    args: JsonObject,
    options: { pipeline?: ToolCallPipeline; session?: CallSession; caller?: CallerIdentity } = {},
  ): Promise<ToolCallOutcome & { requestId: string }> => {
    requests += 1;
    const requestId = `req-${requests}`;
    const pipeline = options.pipeline ?? harness.gateway.pipeline;
    const outcome = await pipeline.callTool({
      caller: options.caller ?? (await harness.caller(agent)),
      session: options.session ?? harness.session(),
      toolName,
      arguments: args,
      clientIp: '10.0.0.7',
      requestId,
    });
    return { ...outcome, requestId };
  };

  /** A pipeline over the harness services with some of them replaced. */
  const pipelineWith = (overrides: Partial<ToolCallPipelineOptions>): ToolCallPipeline =>
    new ToolCallPipeline({
      config: harness.loaded.config,
      authorizer: harness.gateway.policy,
      argumentTypes: harness.gateway.policy,
      catalog: harness.gateway.catalog,
      audit: harness.warden.audit,
      agents: harness.warden.store.agents,
      clock: harness.clock,
      ...overrides,
    });

  const entriesFor = async (requestId: string) =>
    (await harness.audit()).filter((entry) => entry.detail.requestId === requestId);

  before(async () => {
    harness = await openGatewayHarness({
      extraAgentsYaml: [
        '  suspend-bot:',
        '    owner: lan.nguyen@example.com',
        '    roles: [support]',
        '    clearance: confidential',
      ].join('\n'),
      extraYaml: 'approvals:\n  wait: 0s\n',
    });
  });

  after(async () => {
    await harness.close();
  });

  test('an allowed call returns the upstream result, recorded as intent and then outcome', async () => {
    const outcome = await call('support-bot', 'crm__read_customer', { id: 'c-1001' });
    assert.match(resultText(outcome), /Nguyễn Thị Lan Anh/);
    const entries = await entriesFor(outcome.requestId);
    assert.deepEqual(
      entries.map((entry) => entry.type),
      ['tool-call-allowed', 'tool-call-completed'],
    );
    const [intent, completed] = entries;
    assert.equal(intent!.actor, 'agent:support-bot');
    assert.equal(intent!.subject, 'tool:crm__read_customer');
    assert.equal(intent!.decision, 'allow');
    assert.deepEqual(intent!.policyIds, ['support-uses-crm']);
    assert.deepEqual(intent!.detail.arguments, { id: 'c-1001' });
    assert.equal(intent!.detail.policyVersion, harness.gateway.policy.version);
    assert.equal(intent!.detail.clientIp, '10.0.0.7');
    assert.ok(intent!.seq < completed!.seq);
    assert.equal(completed!.detail.isError, false);
    assert.ok((completed!.detail.resultBytes as number) > 100);
  });

  test('the intent is durably in the audit log before the upstream is called', async () => {
    let intentSeenByUpstream: string | null = null;
    const catalog: UpstreamCatalog = {
      ...harness.gateway.catalog,
      listTools: () => harness.gateway.catalog.listTools(),
      getTool: (name) => harness.gateway.catalog.getTool(name),
      status: () => harness.gateway.catalog.status(),
      onToolsChanged: (listener) => harness.gateway.catalog.onToolsChanged(listener),
      callTool: async (name, args, options) => {
        const stored = await harness.warden.store.audit.query({
          types: ['tool-call-allowed'],
          order: 'desc',
          limit: 1,
        });
        intentSeenByUpstream = (stored[0]?.detail.requestId as string | undefined) ?? null;
        return harness.gateway.catalog.callTool(name, args, options);
      },
    };
    const outcome = await call(
      'support-bot',
      'crm__read_customer',
      { id: 'c-1002' },
      { pipeline: pipelineWith({ catalog }) },
    );
    assert.match(resultText(outcome), /c-1002/);
    assert.equal(intentSeenByUpstream, outcome.requestId);
  });

  test('an unknown tool is refused with WARDEN_TOOL_NOT_FOUND and the closest name', async () => {
    const outcome = await call('support-bot', 'crm__read_custmer', { id: 'c-1001' });
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_TOOL_NOT_FOUND');
    assert.match(error.message, /no tool named "crm__read_custmer".*Did you mean crm__read_customer\?/);
    const [entry] = await entriesFor(outcome.requestId);
    assert.equal(entry!.type, 'tool-call-refused');
    assert.equal(entry!.detail.code, 'WARDEN_TOOL_NOT_FOUND');
  });

  test('suggestions name only tools the agent may see', async () => {
    // support-bot may not call payments tools, so their names are not offered to it.
    const error = refused(await call('support-bot', 'payments__get_balanc', { account: 'acct-operating' }));
    assert.equal(error.code, 'WARDEN_TOOL_NOT_FOUND');
    assert.doesNotMatch(error.message, /payments__get_balance/);
  });

  test('over its limit for a tool an agent is refused with WARDEN_RATE_LIMITED and a retry-after', async () => {
    const session = harness.session();
    for (const id of ['c-1001', 'c-1002']) {
      resultText(await call('limited-bot', 'crm__read_customer', { id }, { session }));
    }
    const error = refused(await call('limited-bot', 'crm__read_customer', { id: 'c-1003' }, { session }));
    assert.equal(error.code, 'WARDEN_RATE_LIMITED');
    // 2 per 60 s: a token every 30 s.
    assert.equal(error.details.retryAfterSeconds, 30);
    assert.match(error.message, /limited-bot.*crm__read_customer \(2 per 60 s\); retry after 30 s/);
    harness.clock.advance(30_000);
    resultText(await call('limited-bot', 'crm__read_customer', { id: 'c-1003' }, { session }));
  });

  test('the * limit counts all of an agent’s calls together', async () => {
    // After the previous test limited-bot has 3 of its 4 "*" tokens left: one search is allowed, then two more drain it.
    const outcomes: ToolCallOutcome[] = [];
    for (let index = 0; index < 4; index += 1) {
      outcomes.push(await call('limited-bot', 'crm__search_customers', { query: 'nguyen' }));
    }
    assert.deepEqual(
      outcomes.map((outcome) => outcome.kind),
      ['result', 'result', 'result', 'refused'],
    );
    const error = refused(outcomes[3]!);
    assert.equal(error.details.limit, '*');
    assert.equal(error.details.retryAfterSeconds, 15);
    assert.match(error.message, /its tool calls \(4 per 60 s\); retry after 15 s/);
  });

  test('arguments that fail the input schema are refused, listing the problems, and never reach the upstream', async () => {
    const before = await balanceOf(harness, 'acct-operating');
    const outcome = await call('finance-bot', 'payments__transfer', {
      from_account: 'acct-operating',
      amount: 'a lot',
    });
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_INVALID_ARGUMENTS');
    assert.match(error.message, /missing required argument "to_account"/);
    assert.match(error.message, /"amount" must be (integer|number)/);
    assert.match(error.message, /the tool was not called/);
    assert.equal(await balanceOf(harness, 'acct-operating'), before);
    assert.deepEqual(
      (await entriesFor(outcome.requestId)).map((entry) => entry.type),
      ['tool-call-refused'],
    );
  });

  test('a denied call is refused with WARDEN_POLICY_DENIED naming the policies and their reasons', async () => {
    const outcome = await call('support-bot', 'crm__export_customers', { format: 'csv' });
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_POLICY_DENIED');
    assert.match(error.message, /support-never-exports-customers/);
    assert.match(error.message, /a bulk export of customer records is never a support task/);
    assert.ok((error.details.policies as string[]).includes('support-never-exports-customers'));
    const [entry] = await entriesFor(outcome.requestId);
    assert.equal(entry!.type, 'tool-call-denied');
    assert.equal(entry!.decision, 'deny');
    assert.ok(entry!.policyIds.includes('support-never-exports-customers'));
  });

  test('a call no policy permits is denied by default', async () => {
    const error = refused(await call('research-bot', 'files__write_file', { path: 'x.txt', content: 'x' }));
    assert.equal(error.code, 'WARDEN_POLICY_DENIED');
    assert.match(error.message, /no policy permits research-bot to call files__write_file; deny by default/);
  });

  test('a small transfer is allowed and moves the money', async () => {
    const before = await balanceOf(harness, 'acct-operating');
    const outcome = await call('finance-bot', 'payments__transfer', {
      from_account: 'acct-operating',
      to_account: 'vcb-0071000123456',
      amount: 1_000_000,
      memo: 'coffee beans',
    });
    assert.match(resultText(outcome), /completed/);
    assert.equal(await balanceOf(harness, 'acct-operating'), before - 1_000_000);
  });

  test('a call that needs approval is held: pending with its request id, and nothing is executed', async () => {
    const before = await balanceOf(harness, 'acct-operating');
    const outcome = await call('finance-bot', 'payments__transfer', {
      from_account: 'acct-operating',
      to_account: 'vcb-0071000123456',
      amount: 60_000_000,
    });
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_APPROVAL_PENDING');
    assert.match(error.message, /finance-large-transfers-need-approval/);
    assert.match(error.message, /a finance manager must approve transfers of 50,000,000 VND or more/);
    assert.match(error.message, /request apr_\w+ is pending/);
    assert.equal(await balanceOf(harness, 'acct-operating'), before);
    const [entry] = await entriesFor(outcome.requestId);
    assert.equal(entry!.type, 'tool-call-approval-required');
    assert.equal(entry!.decision, 'approval_required');
    assert.equal(entry!.detail.approvalStatus, 'pending');
  });

  test('without an approval service a call that needs approval is refused with WARDEN_APPROVAL_REQUIRED', async () => {
    const pipeline = pipelineWith({});
    const outcome = await call(
      'finance-bot',
      'payments__transfer',
      { from_account: 'acct-operating', to_account: 'vcb-0071000123456', amount: 60_000_000 },
      { pipeline },
    );
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_APPROVAL_REQUIRED');
    assert.match(error.message, /cannot hold calls for approval here, so the call is refused/);
  });

  test('an agent in shadow mode has the denial recorded and the call goes through', async () => {
    const outcome = await call('shadow-bot', 'crm__update_customer', {
      id: 'c-1002',
      fields: { notes: 'updated in shadow mode' },
    });
    assert.match(resultText(outcome), /updated in shadow mode/);
    const entries = await entriesFor(outcome.requestId);
    assert.deepEqual(
      entries.map((entry) => entry.type),
      ['tool-call-shadow-denied', 'tool-call-completed'],
    );
    assert.equal(entries[0]!.decision, 'deny');
    assert.equal(entries[0]!.detail.mode, 'shadow');
    assert.match(entries[0]!.detail.message as string, /may not call crm__update_customer|no policy permits/);
    const read = await harness.upstream('crm__read_customer', { id: 'c-1002' });
    assert.match(textOf(read), /updated in shadow mode/);
  });

  test('when the audit log refuses the intent, the call is refused and the upstream is not called', async () => {
    const failing: AuditRecorder = {
      record: () => Promise.reject(new WardenError('WARDEN_AUDIT_UNAVAILABLE', 'the store is down')),
    };
    const before = await balanceOf(harness, 'acct-operating');
    const error = refused(
      await call(
        'finance-bot',
        'payments__transfer',
        { from_account: 'acct-operating', to_account: 'vcb-0071000123456', amount: 2_000_000 },
        { pipeline: pipelineWith({ audit: failing }) },
      ),
    );
    assert.equal(error.code, 'WARDEN_AUDIT_UNAVAILABLE');
    assert.match(error.message, /could not record it in the audit log.*nothing was executed/);
    assert.equal(await balanceOf(harness, 'acct-operating'), before);
  });

  test('when the outcome cannot be recorded, the result is withheld and the refusal says the call ran', async () => {
    const audit: AuditRecorder = {
      record: (event: AuditEvent) =>
        event.type === 'tool-call-completed'
          ? Promise.reject(new WardenError('WARDEN_AUDIT_UNAVAILABLE', 'the store is down'))
          : harness.warden.audit.record(event),
    };
    const error = refused(
      await call(
        'support-bot',
        'crm__read_customer',
        { id: 'c-1001' },
        { pipeline: pipelineWith({ audit }) },
      ),
    );
    assert.equal(error.code, 'WARDEN_AUDIT_UNAVAILABLE');
    assert.equal(error.details.executed, true);
    assert.match(error.message, /ran, but Warden could not record its outcome/);
  });

  test('a suspended agent is refused on its next call, with the reason', async () => {
    const caller = await harness.caller('suspend-bot');
    resultText(await call('suspend-bot', 'crm__read_customer', { id: 'c-1001' }, { caller }));
    await harness.warden.agents.suspend('suspend-bot', { actor: 'admin:test', reason: 'incident 42' });
    // The caller identity still holds the record from before the suspension: the pipeline reads it fresh.
    const error = refused(await call('suspend-bot', 'crm__read_customer', { id: 'c-1001' }, { caller }));
    assert.equal(error.code, 'WARDEN_AGENT_SUSPENDED');
    assert.match(error.message, /suspend-bot" is suspended: incident 42/);
  });

  test('tools/list shows an agent only the tools policy lets it call', async () => {
    const list = async (agent: string) =>
      harness.gateway.pipeline
        .listTools(await harness.caller(agent), harness.session())
        .map((tool) => tool.exposedName);
    // mail__send_email is listed: its policy depends on the `to` argument, decided at call time.
    assert.deepEqual(await list('support-bot'), [
      'crm__read_customer',
      'crm__search_customers',
      'crm__update_customer',
      'mail__send_email',
    ]);
    // payments__transfer is listed for finance: allowed below the limit, approval above it.
    assert.deepEqual(await list('finance-bot'), ['payments__get_balance', 'payments__transfer']);
    // research: read-only tools, capped at its clearance (internal).
    assert.deepEqual(await list('research-bot'), ['files__read_file', 'mail__read_inbox']);
    // Shadow mode lets every call through, so it lists every tool.
    assert.equal((await list('shadow-bot')).length, harness.gateway.catalog.listTools().length);
  });

  test('a listing check, when given, decides which tools are listed', async () => {
    const pipeline = pipelineWith({
      listing: { mayCall: (request) => request.tool.name === 'payments__transfer' },
    });
    const tools = pipeline.listTools(await harness.caller('finance-bot'), harness.session());
    assert.deepEqual(
      tools.map((tool) => tool.exposedName),
      ['payments__transfer'],
    );
  });

  test('the session counts the calls that were executed, in total and per tool', async () => {
    const session = harness.session();
    resultText(await call('support-bot', 'crm__read_customer', { id: 'c-1001' }, { session }));
    resultText(await call('support-bot', 'crm__search_customers', { query: 'tran' }, { session }));
    refused(await call('support-bot', 'crm__export_customers', {}, { session }));
    assert.equal(session.callCount, 2);
    assert.equal(session.toolCallCounts.get('crm__read_customer'), 1);
    assert.equal(session.toolCallCounts.get('crm__export_customers'), undefined);
  });

  test('an argument inspection hook that throws refuses the call before anything runs', async () => {
    const before = await balanceOf(harness, 'acct-operating');
    const pipeline = pipelineWith({
      inspector: {
        inspectArguments: () => {
          throw new Error('detector crashed');
        },
        inspectResult: () => {
          throw new Error('not reached');
        },
      },
    });
    const outcome = await call(
      'finance-bot',
      'payments__transfer',
      { from_account: 'acct-operating', to_account: 'vcb-0071000123456', amount: 500_000 },
      { pipeline },
    );
    const error = refused(outcome);
    assert.equal(error.code, 'WARDEN_INTERNAL');
    assert.match(error.message, /inspect-arguments stage failed/);
    assert.equal(await balanceOf(harness, 'acct-operating'), before);
  });

  test('inspection hooks may rewrite the arguments and the result', async () => {
    const pipeline = pipelineWith({
      inspector: {
        inspectArguments: () => ({ arguments: { id: 'c-1003' }, findings: NO_FINDINGS }),
        inspectResult: (_request, _tool, result) => ({
          result: {
            ...result,
            content: [{ type: 'text', text: `[inspected] ${textOf(result).slice(0, 40)}` }],
          },
          findings: NO_FINDINGS,
          injection: false,
        }),
      },
    });
    const outcome = await call('support-bot', 'crm__read_customer', { id: 'c-1001' }, { pipeline });
    const text = resultText(outcome);
    assert.match(text, /^\[inspected\]/);
    assert.match(text, /c-1003/);
    const [intent] = await entriesFor(outcome.requestId);
    assert.deepEqual(intent!.detail.arguments, { id: 'c-1003' });
  });

  test('an upstream failure is refused with its code and recorded as tool-call-failed', async () => {
    const catalog: UpstreamCatalog = {
      ...harness.gateway.catalog,
      listTools: () => harness.gateway.catalog.listTools(),
      getTool: (name) => harness.gateway.catalog.getTool(name),
      status: () => harness.gateway.catalog.status(),
      onToolsChanged: (listener) => harness.gateway.catalog.onToolsChanged(listener),
      callTool: () =>
        Promise.reject(new WardenError('WARDEN_UPSTREAM_TIMEOUT', 'crm did not answer within 20 s')),
    };
    const outcome = await call(
      'support-bot',
      'crm__read_customer',
      { id: 'c-1001' },
      { pipeline: pipelineWith({ catalog }) },
    );
    assert.equal(refused(outcome).code, 'WARDEN_UPSTREAM_TIMEOUT');
    const entries = await entriesFor(outcome.requestId);
    assert.deepEqual(
      entries.map((entry) => entry.type),
      ['tool-call-allowed', 'tool-call-failed'],
    );
    assert.equal(entries[1]!.detail.code, 'WARDEN_UPSTREAM_TIMEOUT');
  });

  test('an authorizer that throws or answers nonsense denies (fail closed)', async () => {
    const throwing: Authorizer = {
      version: 'broken',
      decide: () => {
        throw new Error('wasm trap');
      },
    };
    const nonsense = { version: 'odd', decide: () => ({ kind: 'maybe' }) } as unknown as Authorizer;
    for (const authorizer of [throwing, nonsense]) {
      const error = refused(
        await call(
          'support-bot',
          'crm__read_customer',
          { id: 'c-1001' },
          { pipeline: pipelineWith({ authorizer }) },
        ),
      );
      assert.equal(error.code, 'WARDEN_POLICY_DENIED');
      assert.match(error.message, /fail closed/);
    }
  });
});

const NO_FINDINGS = {
  counts: {},
  classes: [],
  maxClass: null,
  pii: 0,
  secrets: 0,
  injectionScore: 0,
  actions: {},
  restoredTokens: 0,
};
