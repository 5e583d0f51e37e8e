import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { MINIMAL, issuesOf, loadError, writeConfig } from '../config/temp-config.js';

test('monitoring defaults: rules on without quarantine, /metrics off', async (t) => {
  const { config } = await loadConfig({ path: await writeConfig(t, MINIMAL), env: {} });
  assert.equal(config.monitoring.enabled, true);
  assert.equal(config.monitoring.window, 300);
  assert.equal(config.monitoring.metrics.enabled, false);
  for (const rule of Object.values(config.monitoring.rules)) {
    assert.equal(rule.enabled, true);
    assert.equal(rule.quarantine, false);
  }
  assert.equal(config.monitoring.rules.rateSpike.cooldown, 3600);
});

test('a literal metrics token, an unknown rule and a bad threshold are refused with their fields', async (t) => {
  const path = await writeConfig(
    t,
    `${MINIMAL}monitoring:
  rules:
    rateSpike: { zScore: 0 }
    typoRule: {}
  metrics: { enabled: true, token: hunter2 }
`,
  );
  const issues = issuesOf(await loadError({ path }));
  const paths = issues.map((issue) => issue.path);
  assert.ok(paths.includes('monitoring.rules.rateSpike.zScore'), paths.join(', '));
  assert.ok(paths.includes('monitoring.metrics.token'), paths.join(', '));
  assert.ok(
    issues.some((issue) => /typoRule/.test(issue.message) || issue.path.includes('typoRule')),
    JSON.stringify(issues),
  );
  assert.ok(!JSON.stringify(issues).includes('hunter2'), 'the literal secret is not echoed');
});
