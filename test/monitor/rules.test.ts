import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../../src/core/index.js';
import { Monitor } from '../../src/monitor/index.js';
import { DAY, HOUR, MINUTE, START, openMonitorHarness } from './harness.js';
import type { MonitorHarness } from './harness.js';

/** 10 days of normal office-hours traffic, then the monitor starts (rebuilding from the log). */
async function withHistory(t: Parameters<typeof openMonitorHarness>[0], monitoring?: string) {
  const harness = await openMonitorHarness(t, monitoring === undefined ? {} : { monitoring });
  await harness.normalTraffic({ fromDay: 0, days: 10 });
  const monitor = harness.openMonitor();
  const summary = await monitor.start();
  return { harness, monitor, summary };
}

/** Sets the clock to `minutes` after midnight on day 10 (the first day after the history). */
function at(harness: MonitorHarness, hour: number, minute = 0, second = 0): void {
  harness.clock.set(START + 10 * DAY + hour * HOUR + minute * MINUTE + second * 1000);
}

async function rulesOf(harness: MonitorHarness): Promise<string[]> {
  return (await harness.alerts()).map((entry) => entry.detail.rule as string);
}

test('normal traffic after the history raises no alert', async (t) => {
  const { harness, monitor, summary } = await withHistory(t);
  assert.ok(summary.entries > 5000, `the rebuild read ${summary.entries} entries`);
  await harness.normalTraffic({ fromDay: 10, days: 1 });
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), []);
});

test('rate-spike fires once on a burst of calls, with the usual rate as baseline', async (t) => {
  const { harness, monitor } = await withHistory(t);
  for (let index = 0; index < 60; index += 1) {
    at(harness, 10, 1, index);
    await harness.call('support-bot', 'crm__read_customer');
  }
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => entry.detail.rule),
    ['rate-spike'],
  );
  const [alert] = alerts;
  assert.equal(alert!.subject, 'agent:support-bot');
  assert.equal(alert!.actor, 'monitor:rate-spike');
  assert.equal(alert!.detail.severity, 'warning');
  assert.equal(alert!.detail.quarantined, false);
  assert.equal(alert!.detail.value, 20, 'it fires at the 20th call of the window (minCalls)');
  assert.equal(alert!.detail.baseline, 3);
  assert.match(
    alert!.detail.message as string,
    /made 20 calls in 5 minutes; its usual active 5 minutes holds 3\.0/,
  );
  assert.equal(harness.notices.length, 1);
  assert.equal(harness.notices[0]!.rule, 'rate-spike');
});

test('rate-spike stays quiet before the baseline is warm', async (t) => {
  const harness = await openMonitorHarness(t);
  await harness.normalTraffic({ fromDay: 0, days: 1 });
  const monitor = harness.openMonitor();
  await monitor.start();
  harness.clock.set(START + DAY + 10 * HOUR);
  for (let index = 0; index < 60; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), []);
});

test('new-tool fires on the first call to a declared tool never used, once', async (t) => {
  const { harness, monitor } = await withHistory(t);
  at(harness, 10);
  await harness.call('support-bot', 'crm__export_customers');
  at(harness, 10, 10);
  await harness.call('support-bot', 'crm__export_customers');
  // a tool the config does not declare is never "new": its name is client input
  await harness.call('support-bot', 'crm__made_up', {
    type: 'tool-call-refused',
    code: 'WARDEN_TOOL_NOT_FOUND',
  });
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => [entry.detail.rule, entry.detail.tool, entry.detail.severity]),
    [['new-tool', 'crm__export_customers', 'info']],
  );
});

test('volume-spike fires when results read far exceed the usual volume', async (t) => {
  const { harness, monitor } = await withHistory(t);
  at(harness, 11);
  await harness.call('support-bot', 'crm__read_customer', { bytes: 4000 });
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), [], 'a usual amount does not fire');
  at(harness, 11, 1);
  await harness.call('support-bot', 'crm__read_customer', { bytes: 3 * 1024 * 1024 });
  at(harness, 11, 2);
  await harness.call('support-bot', 'crm__read_customer', { bytes: 3 * 1024 * 1024 });
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => entry.detail.rule),
    ['volume-spike'],
  );
  assert.equal(alerts[0]!.detail.baseline, 6000);
  assert.ok(Number(alerts[0]!.detail.value) >= 3 * 1024 * 1024);
});

test('denial-burst fires on many denials in a window, not on a few', async (t) => {
  const { harness, monitor } = await withHistory(t);
  at(harness, 12);
  for (let index = 0; index < 5; index += 1) {
    await harness.call('support-bot', 'crm__read_customer', { type: 'tool-call-denied' });
  }
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), [], 'five denials stay under minDenials (10)');
  at(harness, 12, 2);
  for (let index = 0; index < 10; index += 1) {
    await harness.call('support-bot', 'crm__read_customer', {
      type: index % 2 === 0 ? 'tool-call-denied' : 'tool-call-refused',
    });
  }
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => entry.detail.rule),
    ['denial-burst'],
  );
  assert.equal(alerts[0]!.detail.value, 10);
  assert.equal(alerts[0]!.detail.baseline, 0);
});

test('denial-burst needs no history, and refusals of a suspended agent do not count', async (t) => {
  const harness = await openMonitorHarness(t);
  const monitor = harness.openMonitor();
  await monitor.start();
  harness.clock.set(START + 10 * HOUR);
  for (let index = 0; index < 30; index += 1) {
    await harness.call('other-bot', 'crm__read_customer', {
      type: 'tool-call-refused',
      code: 'WARDEN_AGENT_SUSPENDED',
    });
  }
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), []);
  for (let index = 0; index < 10; index += 1) {
    await harness.call('other-bot', 'crm__read_customer', { type: 'tool-call-denied' });
  }
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), ['denial-burst']);
});

test('off-hours fires on a call at an hour the agent never works, not in its usual hours', async (t) => {
  const { harness, monitor } = await withHistory(t);
  at(harness, 16, 30);
  await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), []);
  at(harness, 3, 12);
  harness.clock.advance(DAY);
  await harness.call('support-bot', 'crm__read_customer');
  await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => [entry.detail.rule, entry.detail.value, entry.detail.baseline]),
    [['off-hours', 3, 0]],
  );
  assert.match(alerts[0]!.detail.message as string, /active at 03:00 \(UTC\)/);
});

test('a rule turned off does not fire, and severity comes from the config', async (t) => {
  const { harness, monitor } = await withHistory(
    t,
    `  rules:
    rateSpike: { enabled: false }
    newTool: { severity: critical }`,
  );
  at(harness, 10);
  for (let index = 0; index < 60; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await harness.call('support-bot', 'crm__export_customers');
  await monitor.idle();
  const alerts = await harness.alerts();
  assert.deepEqual(
    alerts.map((entry) => [entry.detail.rule, entry.detail.severity]),
    [['new-tool', 'critical']],
  );
});

test('cooldown: a burst gives one alert, and the rule fires again once the cooldown passed', async (t) => {
  const { harness, monitor } = await withHistory(t, '  rules:\n    rateSpike: { cooldown: 30m }');
  at(harness, 10);
  for (let index = 0; index < 200; index += 1) {
    harness.clock.advance(1000);
    await harness.call('support-bot', 'crm__read_customer');
  }
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), ['rate-spike']);
  at(harness, 11);
  for (let index = 0; index < 30; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.deepEqual(await rulesOf(harness), ['rate-spike', 'rate-spike']);
});

test('after a restart the baselines are rebuilt and an alert in its cooldown is not raised again', async (t) => {
  const { harness, monitor } = await withHistory(t);
  at(harness, 10);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  await monitor.close();
  assert.deepEqual(await rulesOf(harness), ['rate-spike']);

  const restarted = harness.openMonitor();
  const summary = await restarted.start();
  assert.ok(summary.entries > 5000);
  at(harness, 10, 2);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await restarted.idle();
  assert.deepEqual(
    await rulesOf(harness),
    ['rate-spike'],
    'still in the cooldown recorded before the restart',
  );
  at(harness, 14);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await restarted.idle();
  assert.deepEqual(
    await rulesOf(harness),
    ['rate-spike', 'rate-spike'],
    'the rebuilt baseline still knows the usual rate',
  );
});

test('quarantine suspends the agent with actor monitor:<rule> and a reason naming the rule', async (t) => {
  const { harness, monitor } = await withHistory(
    t,
    '  rules:\n    newTool: { quarantine: true, severity: critical }',
  );
  at(harness, 10);
  await harness.call('support-bot', 'crm__export_customers');
  await monitor.idle();
  const agent = await harness.agents.get('support-bot');
  assert.equal(agent.status, 'suspended');
  assert.equal(agent.suspendedBy, 'monitor:new-tool');
  assert.match(
    agent.suspendedReason ?? '',
    /monitoring rule new-tool: agent "support-bot" called crm__export_customers/,
  );
  const [alert] = await harness.alerts();
  assert.equal(alert!.detail.quarantined, true);
  assert.match(alert!.detail.message as string, /quarantined/);
  const suspended = await harness.store.audit.query({ types: ['agent-suspended'] });
  assert.equal(suspended.length, 1);
  assert.equal(suspended[0]!.actor, 'monitor:new-tool');
  assert.ok(suspended[0]!.seq < alert!.seq, 'the suspension is recorded before the alert');
  assert.equal(harness.notices[0]!.quarantined, true);
});

test('a failed alert record starts no cooldown, and a quarantine that raced another change is retried', async (t) => {
  const harness = await openMonitorHarness(t, {
    monitoring: '  rules:\n    rateSpike: { quarantine: true }',
  });
  await harness.normalTraffic({ fromDay: 0, days: 10 });
  let failedRecords = 0;
  let conflicts = 0;
  const monitor = new Monitor({
    config: harness.config,
    audit: {
      onRecorded: (listener) => harness.log.onRecorded(listener),
      record: async (event) => {
        if (event.type === 'alert-raised' && failedRecords < 1) {
          failedRecords += 1;
          throw new Error('the store is down for a moment');
        }
        return harness.log.record(event);
      },
    },
    auditStore: harness.store.audit,
    agents: {
      get: (name) => harness.agents.get(name),
      suspend: async (name, options) => {
        if (conflicts < 2) {
          conflicts += 1;
          throw new WardenError('WARDEN_STORE_CONFLICT', 'changed by someone else at the same time');
        }
        return harness.agents.suspend(name, options);
      },
    },
    clock: harness.clock,
    processMetrics: false,
  });
  t.after(() => monitor.close());
  await monitor.start();
  at(harness, 10);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.equal(failedRecords, 1);
  assert.equal(conflicts, 2);
  const agent = await harness.agents.get('support-bot');
  assert.equal(agent.status, 'suspended', 'the suspension was tried again after the conflicts');
  assert.equal(agent.suspendedBy, 'monitor:rate-spike');
  assert.deepEqual(await rulesOf(harness), ['rate-spike'], 'the alert was recorded on a later finding');
});

test('an agent resumed during the cooldown, or after a restart, is quarantined again; the alert is not repeated', async (t) => {
  const { harness, monitor } = await withHistory(t, '  rules:\n    rateSpike: { quarantine: true }');
  at(harness, 10);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.equal((await harness.agents.get('support-bot')).status, 'suspended');

  await harness.agents.resume('support-bot', { actor: 'admin:lan' });
  at(harness, 10, 1);
  for (let index = 0; index < 5; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await monitor.idle();
  assert.equal((await harness.agents.get('support-bot')).status, 'suspended', 'within the cooldown');

  await monitor.close();
  await harness.agents.resume('support-bot', { actor: 'admin:lan' });
  const restarted = harness.openMonitor();
  await restarted.start();
  at(harness, 10, 2);
  for (let index = 0; index < 25; index += 1) await harness.call('support-bot', 'crm__read_customer');
  await restarted.idle();
  assert.equal(
    (await harness.agents.get('support-bot')).status,
    'suspended',
    'the alert found in the log (as from another replica) does not stop the quarantine',
  );
  assert.deepEqual(await rulesOf(harness), ['rate-spike'], 'one alert per cooldown');
  const suspensions = await harness.store.audit.query({ types: ['agent-suspended'] });
  assert.equal(suspensions.length, 3);
  assert.ok(suspensions.every((entry) => entry.actor === 'monitor:rate-spike'));
});
