import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock, isWardenError } from '../../src/core/index.js';
import { SessionTracker } from '../../src/sessions/index.js';

const CLASSES = ['public', 'internal', 'confidential', 'restricted'];

function tracker(options: { idle?: number; maxTasks?: number; sessionIdle?: number } = {}): {
  tracker: SessionTracker;
  clock: ManualClock;
} {
  const clock = new ManualClock('2026-01-07T03:00:00Z');
  return {
    clock,
    tracker: new SessionTracker({
      dataClasses: CLASSES,
      clock,
      taskIdleTimeoutSeconds: options.idle ?? 3600,
      maxTasksPerAgent: options.maxTasks ?? 100,
      ...(options.sessionIdle === undefined ? {} : { sessionIdleTimeoutSeconds: options.sessionIdle }),
    }),
  };
}

const read = (classification: string | null, bytes = 100) => ({
  classes: [classification],
  bytes,
  untrusted: false,
  injection: false,
});

describe('session tracker', () => {
  test('a fresh session is trusted, has read nothing and names no task', () => {
    const { tracker: sessions } = tracker();
    const labels = sessions.policyLabels(sessions.enter('s1', 'support-bot', null));
    assert.deepEqual(labels, {
      untrusted: false,
      maxClassification: null,
      labels: [],
      riskCounts: {},
      bytesRead: 0,
      task: null,
    });
  });

  test('results raise the classification to the most sensitive read and add up the bytes', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', null);
    sessions.noteResult(call, read('confidential', 300));
    sessions.noteResult(call, read('internal', 200));
    const labels = sessions.policyLabels(sessions.enter('s1', 'support-bot', null));
    assert.equal(labels.maxClassification, 'confidential');
    assert.equal(labels.bytesRead, 500);
    assert.deepEqual([...labels.labels].sort(), ['read:confidential', 'read:internal']);
    assert.equal(labels.untrusted, false);
  });

  test('an unknown class name counts as the most sensitive class (fail closed)', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', null);
    sessions.noteResult(call, read('top-secret'));
    assert.equal(sessions.policyLabels(call).maxClassification, 'restricted');
  });

  test('untrusted output and injections mark the session untrusted for good', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'research-bot', null);
    sessions.noteResult(call, { classes: ['internal'], bytes: 10, untrusted: true, injection: false });
    sessions.noteResult(call, read('public'));
    assert.equal(sessions.policyLabels(call).untrusted, true);
    const other = sessions.enter('s2', 'research-bot', null);
    sessions.noteResult(other, { classes: [], bytes: 0, untrusted: false, injection: true });
    const labels = sessions.policyLabels(other);
    assert.equal(labels.untrusted, true);
    assert.ok(labels.labels.includes('injection'));
  });

  test('calls are counted per tool and per risk, and a count can be given back', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', null);
    sessions.noteCall(call, 'crm__read_customer', 'read');
    sessions.noteCall(call, 'crm__read_customer', 'read');
    const giveBack = sessions.noteCall(call, 'mail__send_email', 'external_communication');
    assert.deepEqual(sessions.policyLabels(call).riskCounts, { read: 2, external_communication: 1 });
    giveBack();
    assert.deepEqual(sessions.policyLabels(call).riskCounts, { read: 2 });
    assert.deepEqual(sessions.get('s1')?.labels.toolCounts, { crm__read_customer: 2 });
  });

  test('a task carries its labels to another session of the same agent, merged with that session', () => {
    const { tracker: sessions } = tracker();
    const first = sessions.enter('s1', 'support-bot', 'ticket-42');
    sessions.noteResult(first, { classes: ['internal'], bytes: 50, untrusted: true, injection: false });
    sessions.noteCall(first, 'mail__read_inbox', 'read');

    const second = sessions.enter('s2', 'support-bot', 'ticket-42');
    sessions.noteResult(second, read('confidential', 70));
    const merged = sessions.policyLabels(sessions.enter('s2', 'support-bot', 'ticket-42'));
    assert.equal(merged.untrusted, true, 'from the task');
    assert.equal(merged.maxClassification, 'confidential');
    assert.equal(merged.task, 'ticket-42');
    assert.equal(merged.bytesRead, 120);
    assert.deepEqual(merged.riskCounts, { read: 1 });

    const withoutTask = sessions.policyLabels(sessions.enter('s2', 'support-bot', null));
    assert.equal(withoutTask.untrusted, false, 'session s2 itself never read untrusted content');
    assert.equal(withoutTask.task, null);
  });

  test("another agent's task of the same name is its own", () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', 'shared');
    sessions.noteResult(call, { classes: [], bytes: 0, untrusted: true, injection: false });
    assert.equal(sessions.policyLabels(sessions.enter('s9', 'finance-bot', 'shared')).untrusted, false);
    assert.equal(sessions.get('task:support-bot:shared')?.labels.untrusted, true);
    assert.equal(sessions.get('task:finance-bot:shared')?.labels.untrusted, false);
  });

  test('ending a session forgets its labels but not its tasks', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', 't1');
    sessions.noteResult(call, read('restricted'));
    sessions.end('s1');
    assert.equal(sessions.get('s1'), null);
    assert.equal(sessions.get('task:support-bot:t1')?.labels.maxClassification, 'restricted');
    const again = sessions.policyLabels(sessions.enter('s1', 'support-bot', null));
    assert.equal(again.maxClassification, null);
  });

  test('a task idle for longer than the idle timeout is forgotten', () => {
    const { tracker: sessions, clock } = tracker({ idle: 600 });
    const first = sessions.enter('s1', 'support-bot', 't1');
    sessions.noteResult(first, read('restricted'));
    sessions.leave(first);
    clock.advance(599_000);
    const second = sessions.enter('s2', 'support-bot', 't1');
    assert.equal(sessions.policyLabels(second).maxClassification, 'restricted');
    sessions.leave(second);
    clock.advance(601_000);
    assert.equal(sessions.get('task:support-bot:t1'), null);
    assert.equal(sessions.sweep(), 1);
    assert.equal(sessions.policyLabels(sessions.enter('s3', 'support-bot', 't1')).maxClassification, null);
  });

  test('a new task over the per-agent limit is refused; existing tasks go on and other agents are not affected', () => {
    const { tracker: sessions, clock } = tracker({ idle: 600, maxTasks: 2 });
    sessions.leave(sessions.enter('s1', 'support-bot', 'a'));
    sessions.leave(sessions.enter('s1', 'support-bot', 'b'));
    assert.throws(
      () => sessions.enter('s1', 'support-bot', 'c'),
      (error: unknown) =>
        isWardenError(error, 'WARDEN_TASK_LIMIT_REACHED') &&
        /support-bot.*2 live tasks.*"c"/.test(error.message),
    );
    assert.doesNotThrow(() => sessions.leave(sessions.enter('s1', 'support-bot', 'a')));
    assert.doesNotThrow(() => sessions.leave(sessions.enter('s2', 'finance-bot', 'c')));
    clock.advance(601_000);
    assert.doesNotThrow(() => sessions.enter('s1', 'support-bot', 'c'), 'expired tasks make room');
  });

  test('task ids are validated', () => {
    const { tracker: sessions } = tracker();
    assert.equal(sessions.taskOf(undefined), null);
    assert.equal(sessions.taskOf({ progressToken: 1 }), null);
    assert.equal(sessions.taskOf({ 'warden/taskId': 'ticket-42:step.1_a' }), 'ticket-42:step.1_a');
    for (const bad of ['', 'a b', 'x'.repeat(129), 42, null, 'é']) {
      assert.throws(
        () => sessions.taskOf({ 'warden/taskId': bad }),
        (error: unknown) => isWardenError(error, 'WARDEN_TASK_ID_INVALID'),
      );
    }
  });

  test('summaries list sessions and tasks, most recent first, with their latest calls', () => {
    const { tracker: sessions, clock } = tracker();
    const first = sessions.enter('s1', 'support-bot', null);
    sessions.noteDecision(first, 'crm__read_customer', 'allow');
    clock.advance(1000);
    const second = sessions.enter('s2', 'research-bot', 'brief');
    sessions.noteDecision(second, 'mail__read_inbox', 'allow');
    for (let index = 0; index < 25; index += 1) sessions.noteDecision(second, 'files__read_file', 'deny');
    const list = sessions.list();
    assert.deepEqual(
      list.map((summary) => [summary.id, summary.kind, summary.agent]),
      [
        ['s2', 'mcp', 'research-bot'],
        ['task:research-bot:brief', 'task', 'research-bot'],
        ['s1', 'mcp', 'support-bot'],
      ],
    );
    assert.equal(list[0]?.recentCalls.length, 20);
    assert.deepEqual(sessions.get('s1')?.recentCalls, [
      { tool: 'crm__read_customer', decision: 'allow', at: '2026-01-07T03:00:00.000Z' },
    ]);
    assert.equal(sessions.get('task:nobody:x'), null);
    assert.equal(sessions.get('unknown'), null);
  });

  test('audit labels are small: untrusted, the class name and the task', () => {
    const { tracker: sessions } = tracker();
    const call = sessions.enter('s1', 'support-bot', 't1');
    sessions.noteResult(call, read('confidential'));
    assert.deepEqual(sessions.auditLabels(call), {
      untrusted: false,
      maxClassification: 'confidential',
      task: 't1',
    });
    assert.deepEqual(sessions.auditLabels(sessions.enter('s2', 'support-bot', null)), {
      untrusted: false,
      maxClassification: null,
    });
  });

  test('a task with a call in flight does not expire; a late result still marks the task', () => {
    const { tracker: sessions, clock } = tracker({ idle: 600 });
    const waiting = sessions.enter('s1', 'support-bot', 't1'); // held for approval, or a slow upstream
    sessions.noteCall(waiting, 'web__fetch', 'read');
    clock.advance(3_600_000);
    assert.equal(sessions.sweep(), 0, 'not swept while its call is in flight');
    const next = sessions.enter('s2', 'support-bot', 't1');
    sessions.noteResult(waiting, { classes: [null], bytes: 10, untrusted: true, injection: false });
    sessions.leave(waiting);
    assert.equal(sessions.policyLabels(next).untrusted, true, 'the same task, now untrusted');
    sessions.leave(next);
    assert.equal(sessions.policyLabels(sessions.enter('s3', 'support-bot', 't1')).untrusted, true);
  });

  test('results and counted calls keep a task active', () => {
    const { tracker: sessions, clock } = tracker({ idle: 600 });
    const call = sessions.enter('s1', 'support-bot', 't1');
    clock.advance(590_000);
    sessions.noteResult(call, read('restricted'));
    sessions.leave(call);
    clock.advance(590_000);
    assert.equal(sessions.sweep(), 0);
    assert.equal(
      sessions.policyLabels(sessions.enter('s2', 'support-bot', 't1')).maxClassification,
      'restricted',
    );
  });

  test('a result for a task state that expired lands on the live task of that id', () => {
    const { tracker: sessions, clock } = tracker({ idle: 600 });
    const old = sessions.enter('s1', 'support-bot', 't1');
    sessions.leave(old);
    clock.advance(601_000);
    const fresh = sessions.enter('s2', 'support-bot', 't1');
    sessions.noteResult(old, { classes: ['confidential'], bytes: 10, untrusted: true, injection: false });
    const labels = sessions.policyLabels(fresh);
    assert.equal(labels.untrusted, true);
    assert.equal(labels.maxClassification, 'confidential');
  });

  test('session states idle longer than the bound are swept, except with a call in flight', () => {
    const { tracker: sessions, clock } = tracker({ sessionIdle: 60 });
    sessions.leave(sessions.enter('gone', 'support-bot', null));
    const busy = sessions.enter('busy', 'support-bot', null);
    clock.advance(61_000);
    sessions.sweep();
    assert.equal(sessions.sessionLabels('gone'), undefined);
    assert.notEqual(sessions.sessionLabels('busy'), undefined);
    sessions.leave(busy);
    clock.advance(61_000);
    sessions.sweep();
    assert.equal(sessions.sessionLabels('busy'), undefined);
  });

  test('a call dropped without leave() stops counting as in flight once collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { tracker: sessions, clock } = tracker({ idle: 600 });
    (() => {
      sessions.enter('s1', 'support-bot', 't1');
    })();
    clock.advance(601_000);
    const deadline = Date.now() + 10_000;
    let dropped = 0;
    while (dropped === 0 && Date.now() < deadline) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      dropped = sessions.sweep();
    }
    assert.equal(dropped, 1);
  });
});
