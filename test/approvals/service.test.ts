/**
 * ApprovalService on real stores with the real audit log and a ManualClock: requests, votes, N of M,
 * separation of duties, groups and escalation, expiry, reveal, exactly-once execution across
 * processes (SQLite) and replicas (PostgreSQL), restarts, and no raw argument in any audit detail or
 * view.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApprovalRecord, ExecutionClaim } from '../../src/approvals/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { POSTGRES_SKIP_MESSAGE, POSTGRES_TEST_URL } from '../store/helpers.js';
import {
  API_KEY,
  CARD_NUMBER,
  TRANSFER_ARGUMENTS,
  allStrings,
  deciderFor,
  isError,
  newRequest,
  openApprovals,
  requirement,
} from './harness.js';
import type { ApprovalsHarness } from './harness.js';

const MINUTE = 60_000;

/** The entries about one request, as [type, actor] pairs. */
async function steps(harness: ApprovalsHarness, id: string): Promise<[string, string][]> {
  return (await harness.entries())
    .filter((entry) => entry.subject === `approval:${id}`)
    .map((entry) => [entry.type, entry.actor]);
}

async function pending(harness: ApprovalsHarness, overrides: Parameters<typeof newRequest>[0] = {}) {
  const { approval, created } = await harness.approvals.request(newRequest(overrides));
  assert.equal(created, true);
  assert.equal(approval.status, 'pending');
  return approval;
}

describe('approval requests', () => {
  test('a new request is recorded (audit first), stored sealed and masked, and notified', async (t) => {
    const harness = await openApprovals(t, { maskArguments: true });
    const approval = await pending(harness);
    assert.match(approval.id, /^apr_[0-9a-z]{26}$/);
    assert.equal(approval.agentName, 'finance-bot');
    assert.equal(approval.agentOwner, 'lan.nguyen@example.com');
    assert.equal(approval.requestedAt, '2026-03-01T10:00:00.000Z');
    assert.equal(approval.expiresAt, '2026-03-01T10:15:00.000Z', 'approvals.expiry defaults to 15 minutes');
    assert.equal(approval.escalateAt, null);
    assert.equal(approval.required, 1);
    assert.equal(approval.argumentsDigest, harness.approvals.digest('bank__transfer', TRANSFER_ARGUMENTS));
    assert.deepEqual(approval.argumentsRedacted, {
      to: 'ACME Ltd',
      amount: 1200,
      currency: 'VND',
      cardNumber: '[PAYMENT_CARD]',
      apiKey: '[REDACTED]',
    });
    assert.deepEqual(await harness.store.approvals.get(approval.id), approval);
    assert.deepEqual(await steps(harness, approval.id), [['approval-requested', 'agent:finance-bot']]);
    const [entry] = (await harness.entries()).filter((item) => item.type === 'approval-requested');
    assert.equal(entry?.session, 'ses_test');
    assert.deepEqual(entry?.policyIds, ['payments-need-approval']);
    assert.equal(entry?.detail.argumentsDigest, approval.argumentsDigest);
    assert.deepEqual(
      harness.notifier.notices.map((notice) => [notice.event, notice.actor]),
      [['approval-requested', 'agent:finance-bot']],
    );
  });

  test('a retry with the same arguments (in any key order) finds the request and records nothing more', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const before = (await harness.entries()).length;
    const reordered: JsonObject = Object.fromEntries(Object.entries(TRANSFER_ARGUMENTS).reverse());
    const again = await harness.approvals.request(newRequest({ arguments: reordered }));
    assert.equal(again.created, false);
    assert.equal(again.approval.id, approval.id);
    const named = await harness.approvals.request(newRequest({ approvalId: approval.id }));
    assert.equal(named.created, false);
    assert.equal(named.approval.id, approval.id);
    assert.equal((await harness.entries()).length, before);
    assert.equal(harness.notifier.notices.length, 1);
  });

  test('identical calls arriving together share one request', async (t) => {
    const harness = await openApprovals(t);
    const lookups = await Promise.all(
      Array.from({ length: 5 }, () => harness.approvals.request(newRequest())),
    );
    assert.equal(new Set(lookups.map((lookup) => lookup.approval.id)).size, 1);
    assert.equal(lookups.filter((lookup) => lookup.created).length, 1);
    assert.equal((await harness.entries()).filter((entry) => entry.type === 'approval-requested').length, 1);
  });

  test('other arguments make another request; naming a request with changed arguments is refused', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const changed = { ...TRANSFER_ARGUMENTS, amount: 999_999 };
    await assert.rejects(
      harness.approvals.request(newRequest({ arguments: changed, approvalId: approval.id })),
      isError(
        'WARDEN_APPROVAL_ARGUMENTS_CHANGED',
        new RegExp(`${approval.id} was for other arguments.*changed arguments need a new approval`),
      ),
    );
    await assert.rejects(
      harness.approvals.request(newRequest({ tool: 'bank__refund', approvalId: approval.id })),
      isError('WARDEN_APPROVAL_ARGUMENTS_CHANGED', /was for tool bank__transfer, not bank__refund/),
    );
    const other = await harness.approvals.request(newRequest({ arguments: changed }));
    assert.equal(other.created, true);
    assert.notEqual(other.approval.id, approval.id);
  });

  test("naming another agent's request or an unknown id is refused as not found", async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const intruder = { ...newRequest().agent, id: 'agt_other', name: 'other-bot' };
    await assert.rejects(
      harness.approvals.request(newRequest({ agent: intruder, approvalId: approval.id })),
      isError('WARDEN_APPROVAL_NOT_FOUND', new RegExp(`no approval request "${approval.id}"`)),
    );
    await assert.rejects(
      harness.approvals.request(newRequest({ approvalId: 'apr_doesnotexist' })),
      isError('WARDEN_APPROVAL_NOT_FOUND'),
    );
    await assert.rejects(harness.approvals.view('apr_missing'), isError('WARDEN_APPROVAL_NOT_FOUND'));
  });

  test('recent calls are cut to approvals.recentCalls and policy settings are kept', async (t) => {
    const harness = await openApprovals(t);
    const calls = Array.from({ length: 6 }, (_, index) => ({
      tool: `crm__call_${index}`,
      decision: 'allow',
      at: `2026-03-01T09:5${index}:00.000Z`,
    }));
    const approval = await pending(harness, {
      recentCalls: calls,
      requirement: requirement({
        required: 2,
        expirySeconds: 120,
        groups: ['finance', 'finance'],
        interactive: true,
      }),
    });
    assert.deepEqual(
      approval.recentCalls.map((call) => call.tool),
      ['crm__call_3', 'crm__call_4', 'crm__call_5'],
    );
    assert.equal(approval.required, 2);
    assert.deepEqual(approval.groups, ['finance']);
    assert.equal(approval.interactive, true);
    assert.equal(approval.expiresAt, '2026-03-01T10:02:00.000Z');
  });

  test('arguments too large to keep sealed are refused before anything is recorded', async (t) => {
    const harness = await openApprovals(t);
    await assert.rejects(
      harness.approvals.request(newRequest({ arguments: { blob: 'x'.repeat(900 * 1024) } })),
      isError('WARDEN_INVALID_ARGUMENTS', /too large to hold for approval.*768 KiB/),
    );
    assert.equal((await harness.entries()).length, 0);
    assert.deepEqual(await harness.approvals.list(), []);
  });
});

describe('approval decisions', () => {
  test('an approval records the approver and reason and opens the execution window', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    harness.clock.advance(2 * MINUTE);
    const view = await harness.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'minh'),
      'approve',
      '  invoice 77 checked ',
    );
    assert.equal(view.status, 'approved');
    assert.equal(view.approvals, 1);
    assert.deepEqual(view.votes, [
      { by: 'admin:minh', decision: 'approve', reason: 'invoice 77 checked', at: '2026-03-01T10:02:00.000Z' },
    ]);
    assert.equal(view.decidedAt, '2026-03-01T10:02:00.000Z');
    assert.equal(view.expiresAt, '2026-03-01T10:17:00.000Z', 'executeWithin (15 minutes) from the approval');
    const stored = await harness.approvals.get(approval.id);
    assert.equal(stored?.votes[0]?.email, 'minh.tran@example.com');
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-approved', 'admin:minh'],
    ]);
    const approved = (await harness.entries()).find((entry) => entry.type === 'approval-approved');
    assert.equal(approved?.detail.reason, 'invoice 77 checked');
    assert.equal(approved?.decision, 'approve');
    assert.deepEqual(
      harness.notifier.notices.map((notice) => [notice.event, notice.actor, notice.reason]),
      [
        ['approval-requested', 'agent:finance-bot', undefined],
        ['approval-approved', 'admin:minh', 'invoice 77 checked'],
      ],
    );
  });

  test('a denial records the approver and reason; retries get the denied request and it cannot be decided again', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const view = await harness.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'an'),
      'deny',
      'not a known supplier',
    );
    assert.equal(view.status, 'denied');
    assert.deepEqual(
      view.votes.map((vote) => [vote.by, vote.decision, vote.reason]),
      [['admin:an', 'deny', 'not a known supplier']],
    );
    const retry = await harness.approvals.request(newRequest());
    assert.equal(retry.created, false);
    assert.equal(retry.approval.status, 'denied');
    await assert.rejects(
      harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'overrule'),
      isError('WARDEN_APPROVAL_ALREADY_DECIDED', /already denied by admin:an \(deny\)/),
    );
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-denied', 'admin:an'],
    ]);
    const claim = await harness.approvals.claimExecution(approval.id);
    assert.equal(claim.kind, 'not-approved');
  });

  test('a decision needs a reason of 1 to 2000 characters and a known decision', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const minh = deciderFor(harness.config, 'minh');
    await assert.rejects(
      harness.approvals.decide(approval.id, minh, 'approve', '   '),
      isError('WARDEN_INVALID_REQUEST', /reason of 1 to 2000/),
    );
    await assert.rejects(
      harness.approvals.decide(approval.id, minh, 'approve', 'x'.repeat(2001)),
      isError('WARDEN_INVALID_REQUEST'),
    );
    await assert.rejects(
      harness.approvals.decide(approval.id, minh, 'maybe' as 'approve', 'hmm'),
      isError('WARDEN_INVALID_REQUEST', /"approve" or "deny"/),
    );
    await assert.rejects(
      harness.approvals.decide('apr_missing', minh, 'approve', 'ok'),
      isError('WARDEN_APPROVAL_NOT_FOUND'),
    );
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('an auditor never decides', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    await assert.rejects(
      harness.approvals.decide(approval.id, deciderFor(harness.config, 'olga'), 'approve', 'looks fine'),
      isError('WARDEN_APPROVAL_NOT_ALLOWED', /only admins and approvers decide.*role\(s\) auditor/),
    );
    assert.deepEqual(await steps(harness, approval.id), [['approval-requested', 'agent:finance-bot']]);
  });

  test("separation of duties: the agent's owner may not decide its requests", async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const lan = deciderFor(harness.config, 'lan');
    assert.deepEqual(harness.approvals.eligibility(approval, lan), {
      ok: false,
      reason:
        'Lan.Nguyen@Example.com owns agent "finance-bot", and separation of duties (approvals.separationOfDuties) needs someone other than an agent\'s owner to decide its requests; ask another approver',
    });
    await assert.rejects(
      harness.approvals.decide(approval.id, lan, 'approve', 'my own bot, fine'),
      isError(
        'WARDEN_APPROVAL_NOT_ALLOWED',
        /admin:lan may not decide .*owns agent "finance-bot".*separation of duties/,
      ),
    );
    await assert.rejects(
      harness.approvals.decide(approval.id, lan, 'deny', 'my own bot'),
      isError('WARDEN_APPROVAL_NOT_ALLOWED'),
    );
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('with separationOfDuties: false the owner may decide', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: '  separationOfDuties: false\n' });
    const approval = await pending(harness);
    const view = await harness.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'lan'),
      'approve',
      'my own bot, fine',
    );
    assert.equal(view.status, 'approved');
  });

  test('2 of 3: one approval keeps it pending, the same person twice is refused, a second person approves', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness, {
      requirement: requirement({ required: 2, groups: ['finance'] }),
    });
    const minh = deciderFor(harness.config, 'minh');
    const first = await harness.approvals.decide(approval.id, minh, 'approve', 'first look ok');
    assert.equal(first.status, 'pending');
    assert.equal(first.approvals, 1);
    await assert.rejects(
      harness.approvals.decide(approval.id, minh, 'approve', 'really ok'),
      isError(
        'WARDEN_APPROVAL_NOT_ALLOWED',
        /already voted \(approve\).*1 of 2 approvals.*another person must decide/,
      ),
    );
    // The same person under another name (same email, other case) is the same voter.
    await assert.rejects(
      harness.approvals.decide(
        approval.id,
        { ...minh, actor: 'cli:minh', email: 'MINH.TRAN@example.com' },
        'approve',
        'again',
      ),
      isError('WARDEN_APPROVAL_NOT_ALLOWED', /already voted/),
    );
    const second = await harness.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'an'),
      'approve',
      'second look ok',
    );
    assert.equal(second.status, 'approved');
    assert.equal(second.approvals, 2);
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-approved', 'admin:minh'],
      ['approval-approved', 'admin:an'],
    ]);
  });

  test('one deny among several approvers denies at once', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness, { requirement: requirement({ required: 3 }) });
    await harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok');
    const view = await harness.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'an'),
      'deny',
      'amount too high',
    );
    assert.equal(view.status, 'denied');
    assert.equal(view.approvals, 1);
  });

  test('two approvers deciding at once on two processes both count (no lost vote)', async (t) => {
    const harness = await openApprovals(t);
    const other = await harness.replica();
    const approval = await pending(harness, { requirement: requirement({ required: 2 }) });
    const [a, b] = await Promise.all([
      harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok from minh'),
      other.approvals.decide(approval.id, deciderFor(harness.config, 'an'), 'approve', 'ok from an'),
    ]);
    const stored = await harness.approvals.get(approval.id);
    assert.equal(stored?.status, 'approved');
    assert.deepEqual(stored?.votes.map((vote) => vote.by).sort(), ['admin:an', 'admin:minh']);
    assert.deepEqual([a.status, b.status].sort(), ['approved', 'pending']);
  });

  test('three approvers at once on a 2-of-3 request: two votes approve it, the third is refused and its vote recorded as discarded', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness, { requirement: requirement({ required: 2 }) });
    const results = await Promise.allSettled(
      ['minh', 'an', 'thu'].map((name) =>
        harness.approvals.decide(approval.id, deciderFor(harness.config, name), 'approve', `ok from ${name}`),
      ),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    assert.equal(refused.length, 1);
    assert.ok(
      isError(
        'WARDEN_APPROVAL_ALREADY_DECIDED',
        /already approved/,
      )((refused[0] as PromiseRejectedResult).reason),
    );
    const stored = await harness.approvals.get(approval.id);
    assert.equal(stored?.status, 'approved');
    assert.equal(stored?.votes.length, 2);
    const types = (await steps(harness, approval.id)).map(([type]) => type);
    assert.equal(types.filter((type) => type === 'approval-approved').length, 3);
    assert.equal(types.filter((type) => type === 'approval-vote-discarded').length, 1);
  });
});

describe('approval groups and escalation', () => {
  const ESCALATION = '  expiry: 30m\n  escalation:\n    after: 10m\n    to: [security]\n';

  test('a request for a group: other approvers are refused, admins may decide', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness, { requirement: requirement({ groups: ['finance'] }) });
    assert.equal(approval.escalateAt, null, 'no escalation configured');
    assert.deepEqual(harness.approvals.eligibility(approval, deciderFor(harness.config, 'sara')), {
      ok: false,
      reason: 'it is for approver group(s) finance, and admin:sara is in group(s) security',
    });
    assert.deepEqual(harness.approvals.eligibility(approval, deciderFor(harness.config, 'root')), {
      ok: true,
    });
    assert.deepEqual(harness.approvals.eligibility(approval, deciderFor(harness.config, 'minh')), {
      ok: true,
    });
  });

  test('a member of the escalation group is refused before escalateAt and allowed after the sweep escalated it', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: ESCALATION });
    const approval = await pending(harness, { requirement: requirement({ groups: ['finance'] }) });
    assert.equal(approval.escalateAt, '2026-03-01T10:10:00.000Z');
    assert.equal(approval.expiresAt, '2026-03-01T10:30:00.000Z');
    const sara = deciderFor(harness.config, 'sara');
    await assert.rejects(
      harness.approvals.decide(approval.id, sara, 'approve', 'security ok'),
      isError(
        'WARDEN_APPROVAL_NOT_ALLOWED',
        /group\(s\) finance.*from 2026-03-01T10:10:00.000Z group\(s\) security may decide too/,
      ),
    );
    harness.clock.advance(9 * MINUTE);
    assert.deepEqual(await harness.approvals.sweep(), { expired: 0, escalated: 0 });
    harness.clock.advance(MINUTE);
    assert.deepEqual(await harness.approvals.sweep(), { expired: 0, escalated: 1 });
    assert.deepEqual(await harness.approvals.sweep(), { expired: 0, escalated: 0 }, 'escalated once');
    const escalated = await harness.approvals.get(approval.id);
    assert.deepEqual(escalated?.groups, ['finance', 'security']);
    assert.equal(escalated?.escalated, true);
    assert.equal(escalated?.escalateAt, null);
    const view = await harness.approvals.decide(approval.id, sara, 'approve', 'security ok');
    assert.equal(view.status, 'approved');
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-escalated', 'system'],
      ['approval-approved', 'admin:sara'],
    ]);
    assert.deepEqual(
      harness.notifier.notices.map((notice) => notice.event),
      ['approval-requested', 'approval-escalated', 'approval-approved'],
    );
  });

  test('past escalateAt a decision escalates the request on the spot, before the sweep does', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: ESCALATION });
    const approval = await pending(harness, { requirement: requirement({ groups: ['finance'] }) });
    harness.clock.advance(11 * MINUTE);
    assert.deepEqual(harness.approvals.eligibility(approval, deciderFor(harness.config, 'sara')), {
      ok: true,
    });
    await harness.approvals.decide(approval.id, deciderFor(harness.config, 'sara'), 'deny', 'unknown payee');
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-escalated', 'system'],
      ['approval-denied', 'admin:sara'],
    ]);
  });

  test('a request any approver may decide, or one whose expiry comes first, does not escalate', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: ESCALATION });
    const open = await pending(harness);
    assert.equal(open.escalateAt, null);
    const short = await pending(harness, {
      arguments: { ...TRANSFER_ARGUMENTS, amount: 5 },
      requirement: requirement({ groups: ['finance'], expirySeconds: 300 }),
    });
    assert.equal(short.escalateAt, null);
  });
});

describe('approval expiry', () => {
  test('the sweep expires a pending request (audit by system) and a waiting caller gets status expired', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const waiting = harness.approvals.waitForDecision(approval.id, { timeoutMs: 60_000 });
    harness.clock.advance(14 * MINUTE);
    assert.deepEqual(await harness.approvals.sweep(), { expired: 0, escalated: 0 });
    harness.clock.advance(MINUTE);
    assert.deepEqual(await harness.approvals.sweep(), { expired: 1, escalated: 0 });
    const decided = await waiting;
    assert.equal(decided.status, 'expired');
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-expired', 'system'],
    ]);
    const expired = (await harness.entries()).find((entry) => entry.type === 'approval-expired');
    assert.equal(expired?.detail.stage, 'decision');
    await assert.rejects(
      harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'late'),
      isError('WARDEN_APPROVAL_EXPIRED', /expired at 2026-03-01T10:15:00.000Z without a decision/),
    );
    assert.equal((await harness.approvals.request(newRequest())).created, true, 'a retry asks anew');
    assert.deepEqual(
      harness.notifier.notices.map((notice) => notice.event),
      ['approval-requested', 'approval-expired', 'approval-requested'],
    );
  });

  test('deciding a request whose expiry passed before any sweep expires it and refuses', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    harness.clock.advance(15 * MINUTE);
    await assert.rejects(
      harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok'),
      isError('WARDEN_APPROVAL_EXPIRED', new RegExp(`${approval.id}.*expired.*ask for a new approval`)),
    );
    assert.equal((await harness.approvals.get(approval.id))?.status, 'expired');
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-expired', 'system'],
    ]);
    assert.deepEqual(await harness.approvals.sweep(), { expired: 0, escalated: 0 });
  });

  test('a wait notices the expiry by itself, without a sweep', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness, { requirement: requirement({ expirySeconds: 60 }) });
    const waiting = harness.approvals.waitForDecision(approval.id, { timeoutMs: 60_000 });
    harness.clock.advance(MINUTE);
    assert.equal((await waiting).status, 'expired');
    assert.deepEqual((await steps(harness, approval.id)).at(-1), ['approval-expired', 'system']);
  });

  test('an approved call not made again within executeWithin expires and cannot be claimed', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: '  executeWithin: 5m\n' });
    const approval = await pending(harness);
    await harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok');
    harness.clock.advance(5 * MINUTE);
    const claim = await harness.approvals.claimExecution(approval.id);
    assert.equal(claim.kind, 'not-approved');
    assert.equal(claim.approval.status, 'expired');
    const expired = (await harness.entries()).find((entry) => entry.type === 'approval-expired');
    assert.equal(expired?.detail.stage, 'execution');
    assert.equal(expired?.actor, 'system');
  });

  test('a wait ends still pending at its timeout, or when its signal aborts', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    assert.equal((await harness.approvals.waitForDecision(approval.id, { timeoutMs: 0 })).status, 'pending');
    const controller = new AbortController();
    const waiting = harness.approvals.waitForDecision(approval.id, {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    assert.equal((await waiting).status, 'pending');
    await assert.rejects(
      harness.approvals.waitForDecision('apr_missing', { timeoutMs: 10 }),
      isError('WARDEN_APPROVAL_NOT_FOUND'),
    );
  });

  test('a wait reports progress while it waits and wakes at once on a decision made here', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    const ticks: number[] = [];
    let firstTick: () => void = () => undefined;
    const ticked = new Promise<void>((resolve) => (firstTick = resolve));
    const waiting = harness.approvals.waitForDecision(approval.id, {
      timeoutMs: 60_000,
      onTick: (elapsed) => {
        ticks.push(elapsed);
        firstTick();
      },
    });
    await ticked;
    await harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok');
    assert.equal((await waiting).status, 'approved');
    assert.ok(ticks.length >= 1 && ticks.every((elapsed) => elapsed > 0));
  });

  test('a wait sees a decision made by another process', async (t) => {
    const harness = await openApprovals(t);
    const other = await harness.replica();
    const approval = await pending(harness);
    const waiting = harness.approvals.waitForDecision(approval.id, { timeoutMs: 30_000 });
    await other.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'deny', 'no');
    assert.equal((await waiting).status, 'denied');
  });
});

describe('revealing arguments', () => {
  test('only roles in revealRoles reveal the raw arguments; each reveal is recorded', async (t) => {
    const harness = await openApprovals(t, { maskArguments: true });
    const approval = await pending(harness);
    const minh = deciderFor(harness.config, 'minh');
    assert.equal(harness.approvals.canReveal(minh), false);
    await assert.rejects(
      harness.approvals.reveal(approval.id, minh),
      isError(
        'WARDEN_APPROVAL_NOT_ALLOWED',
        /admin:minh may not reveal .*approvals\.revealRoles \(admin\).*has approver/,
      ),
    );
    const view = await harness.approvals.view(approval.id);
    assert.equal(view.argumentsRevealed, false);
    const viewText = JSON.stringify(view);
    assert.ok(!viewText.includes(CARD_NUMBER) && !viewText.includes(API_KEY), viewText);
    assert.ok(!('argumentsSealed' in view) && !('resultSealed' in view));
    assert.deepEqual(await steps(harness, approval.id), [['approval-requested', 'agent:finance-bot']]);

    const root = deciderFor(harness.config, 'root');
    assert.deepEqual(await harness.approvals.reveal(approval.id, root), TRANSFER_ARGUMENTS);
    assert.deepEqual((await steps(harness, approval.id)).at(-1), ['approval-revealed', 'admin:root']);
  });

  test('revealRoles from the config are honoured', async (t) => {
    const harness = await openApprovals(t, { approvalsYaml: '  revealRoles: [approver]\n' });
    const approval = await pending(harness);
    assert.deepEqual(
      await harness.approvals.reveal(approval.id, deciderFor(harness.config, 'minh')),
      TRANSFER_ARGUMENTS,
    );
    await assert.rejects(
      harness.approvals.reveal(approval.id, deciderFor(harness.config, 'root')),
      isError('WARDEN_APPROVAL_NOT_ALLOWED'),
    );
  });

  test('without inspection masks, secret-named arguments are still masked in views', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    assert.equal((await harness.approvals.view(approval.id)).arguments.apiKey, '[REDACTED]');
  });
});

describe('exactly-once execution', () => {
  async function approved(harness: ApprovalsHarness): Promise<ApprovalRecord> {
    const approval = await pending(harness);
    await harness.approvals.decide(approval.id, deciderFor(harness.config, 'minh'), 'approve', 'ok');
    return approval;
  }

  const RESULT: JsonObject = { content: [{ type: 'text', text: 'transfer tx_123 done' }], isError: false };

  function kinds(claims: ExecutionClaim[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const claim of claims) counts[claim.kind] = (counts[claim.kind] ?? 0) + 1;
    return counts;
  }

  test('of 20 concurrent claims in one process exactly one is claimed; afterwards all get the same result', async (t) => {
    const harness = await openApprovals(t);
    const approval = await approved(harness);
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => harness.approvals.claimExecution(approval.id)),
    );
    assert.deepEqual(kinds(claims), { claimed: 1, executing: 19 });
    const waiting = harness.approvals.waitForExecution(approval.id, { timeoutMs: 30_000 });
    await harness.approvals.recordExecution(approval.id, { result: RESULT }, 'agent:finance-bot');
    const waited = await waiting;
    assert.equal(waited.kind, 'executed');
    assert.deepEqual(waited.kind === 'executed' ? waited.result : null, RESULT);
    const later = await Promise.all(
      Array.from({ length: 5 }, () => harness.approvals.claimExecution(approval.id)),
    );
    for (const claim of later) {
      assert.equal(claim.kind, 'executed');
      assert.deepEqual(claim.kind === 'executed' ? claim.result : null, RESULT);
    }
    const stored = await harness.approvals.get(approval.id);
    assert.equal(stored?.status, 'executed');
    assert.equal(stored?.executedAt, '2026-03-01T10:00:00.000Z');
    assert.ok(
      stored?.resultSealed !== null && !stored?.resultSealed.includes('tx_123'),
      'the result is sealed',
    );
    await assert.rejects(
      harness.approvals.recordExecution(approval.id, { result: RESULT }, 'agent:finance-bot'),
      isError('WARDEN_APPROVAL_ALREADY_EXECUTED'),
    );
    assert.deepEqual(await steps(harness, approval.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-approved', 'admin:minh'],
      ['approval-executed', 'agent:finance-bot'],
    ]);
    const executed = (await harness.entries()).find((entry) => entry.type === 'approval-executed');
    assert.deepEqual(executed?.detail, {
      agent: 'finance-bot',
      tool: 'bank__transfer',
      outcome: 'result',
      resultKept: true,
    });
  });

  test('of 20 concurrent claims from two processes on one SQLite file exactly one is claimed', async (t) => {
    const harness = await openApprovals(t);
    const other = await harness.replica();
    const approval = await approved(harness);
    const services = [harness.approvals, other.approvals];
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, index) => services[index % 2]!.claimExecution(approval.id)),
    );
    assert.deepEqual(kinds(claims), { claimed: 1, executing: 19 });
    const loser = services[(claims.findIndex((claim) => claim.kind === 'claimed') + 1) % 2]!;
    const waiting = loser.waitForExecution(approval.id, { timeoutMs: 30_000 });
    await services[claims.findIndex((claim) => claim.kind === 'claimed') % 2]!.recordExecution(
      approval.id,
      { result: RESULT },
      'agent:finance-bot',
    );
    const waited = await waiting;
    assert.deepEqual(waited.kind === 'executed' ? waited.result : waited.kind, RESULT);
  });

  test(
    'of 20 concurrent claims from two replicas on PostgreSQL exactly one is claimed',
    { skip: POSTGRES_TEST_URL === undefined ? POSTGRES_SKIP_MESSAGE : false },
    async (t) => {
      const harness = await openApprovals(t, { kind: 'postgres' });
      const other = await harness.replica();
      const approval = await approved(harness);
      const services = [harness.approvals, other.approvals];
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, index) => services[index % 2]!.claimExecution(approval.id)),
      );
      assert.deepEqual(kinds(claims), { claimed: 1, executing: 19 });
      await harness.approvals.recordExecution(approval.id, { result: RESULT }, 'agent:finance-bot');
      const after = await other.approvals.claimExecution(approval.id);
      assert.deepEqual(after.kind === 'executed' ? after.result : after.kind, RESULT);
    },
  );

  test('a failed run is recorded with its error code, and the request is not run again', async (t) => {
    const harness = await openApprovals(t);
    const approval = await approved(harness);
    assert.equal((await harness.approvals.claimExecution(approval.id)).kind, 'claimed');
    await harness.approvals.recordExecution(
      approval.id,
      { error: { code: 'WARDEN_UPSTREAM_TIMEOUT', message: `bank did not answer for card ${CARD_NUMBER}` } },
      'agent:finance-bot',
    );
    const claim = await harness.approvals.claimExecution(approval.id);
    assert.equal(claim.kind, 'not-approved');
    assert.equal(claim.approval.status, 'failed');
    const executed = (await harness.entries()).find((entry) => entry.type === 'approval-executed');
    assert.deepEqual(executed?.detail, {
      agent: 'finance-bot',
      tool: 'bank__transfer',
      outcome: 'error',
      code: 'WARDEN_UPSTREAM_TIMEOUT',
    });
  });

  test('a result too large to keep leaves the request executed with no result for retries', async (t) => {
    const harness = await openApprovals(t);
    const approval = await approved(harness);
    await harness.approvals.claimExecution(approval.id);
    const big: JsonObject = { content: [{ type: 'text', text: 'y'.repeat(1024 * 1024) }] };
    await harness.approvals.recordExecution(approval.id, { result: big }, 'agent:finance-bot');
    const claim = await harness.approvals.claimExecution(approval.id);
    assert.equal(claim.kind, 'executed');
    assert.equal(claim.kind === 'executed' ? claim.result : 'x', null);
    const executed = (await harness.entries()).find((entry) => entry.type === 'approval-executed');
    assert.equal(executed?.detail.resultKept, false);
  });

  test('recording a run that was never claimed is refused', async (t) => {
    const harness = await openApprovals(t);
    const approval = await approved(harness);
    await assert.rejects(
      harness.approvals.recordExecution(approval.id, { result: RESULT }, 'agent:finance-bot'),
      isError('WARDEN_INTERNAL', /status approved.*claimExecution/),
    );
    const open = await pending(harness, { arguments: { ...TRANSFER_ARGUMENTS, amount: 1 } });
    assert.equal((await harness.approvals.claimExecution(open.id)).kind, 'not-approved');
  });
});

describe('restarts and the audit trail', () => {
  test('a new service over the same SQLite file sees pending requests and can decide and execute them', async (t) => {
    const harness = await openApprovals(t);
    const approval = await pending(harness);
    await harness.stop(harness);
    const restarted = await harness.replica();
    const open = await restarted.approvals.list({ statuses: ['pending'] });
    assert.deepEqual(
      open.map((view) => view.id),
      [approval.id],
    );
    await restarted.approvals.decide(
      approval.id,
      deciderFor(harness.config, 'minh'),
      'approve',
      'after restart',
    );
    const retry = await restarted.approvals.request(newRequest());
    assert.equal(retry.approval.id, approval.id);
    assert.equal(retry.approval.status, 'approved');
    assert.equal((await restarted.approvals.claimExecution(approval.id)).kind, 'claimed');
    await restarted.approvals.recordExecution(approval.id, { result: { ok: true } }, 'agent:finance-bot');
    const done = await restarted.approvals.claimExecution(approval.id);
    assert.deepEqual(done.kind === 'executed' ? done.result : done.kind, { ok: true });
  });

  test('every step is audited with its actor, and no raw argument reaches an audit detail, a view or a notice', async (t) => {
    const harness = await openApprovals(t, {
      maskArguments: true,
      approvalsYaml: '  escalation:\n    after: 5m\n    to: [security]\n',
    });
    const forGroup = requirement({ groups: ['finance'] });
    // requested, escalated, revealed, approved, executed
    const first = await pending(harness, { requirement: forGroup });
    harness.clock.advance(5 * MINUTE);
    await harness.approvals.sweep();
    await harness.approvals.reveal(first.id, deciderFor(harness.config, 'root'));
    await harness.approvals.decide(first.id, deciderFor(harness.config, 'sara'), 'approve', 'checked');
    await harness.approvals.claimExecution(first.id);
    await harness.approvals.recordExecution(first.id, { result: { ok: true } }, 'agent:finance-bot');
    // requested, denied
    const second = await pending(harness, { arguments: { ...TRANSFER_ARGUMENTS, amount: 2 } });
    await harness.approvals.decide(second.id, deciderFor(harness.config, 'an'), 'deny', 'no');
    // requested, expired
    const third = await pending(harness, { arguments: { ...TRANSFER_ARGUMENTS, amount: 3 } });
    harness.clock.advance(15 * MINUTE);
    await harness.approvals.sweep();

    assert.deepEqual(await steps(harness, first.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-escalated', 'system'],
      ['approval-revealed', 'admin:root'],
      ['approval-approved', 'admin:sara'],
      ['approval-executed', 'agent:finance-bot'],
    ]);
    assert.deepEqual(await steps(harness, second.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-denied', 'admin:an'],
    ]);
    assert.deepEqual(await steps(harness, third.id), [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-expired', 'system'],
    ]);

    const secrets = [CARD_NUMBER, CARD_NUMBER.replaceAll(' ', ''), API_KEY];
    const leaks = (label: string, value: unknown): void => {
      for (const text of allStrings(value)) {
        for (const secret of secrets)
          assert.ok(!text.includes(secret), `${label} holds a raw argument: ${text}`);
      }
    };
    for (const entry of await harness.entries()) leaks(`audit entry ${entry.seq} (${entry.type})`, entry);
    for (const view of await harness.approvals.list()) leaks(`view ${view.id}`, view);
    for (const notice of harness.notifier.notices) {
      const { argumentsSealed: _sealed, ...rest } = notice.approval;
      leaks(`notice ${notice.event}`, { ...notice, approval: rest });
    }
    for (const record of await harness.store.approvals.list({})) leaks(`stored record ${record.id}`, record);
  });
});
