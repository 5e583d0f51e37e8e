import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { PolicyService } from '../../src/policy/index.js';
import { policyWorkspace, requestFor } from './helpers.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));

void test('mayCall shows a tool when some arguments could be allowed or sent for approval', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 1000 };

permit (principal in Role::"support", action == Action::"mail__send_email", resource);
forbid (principal, action == Action::"mail__send_email", resource)
unless { context.arguments has to && context.arguments.to like "*@example.com" };

permit (principal, action == Action::"crm__read_customer", resource);
forbid (principal, action == Action::"crm__read_customer", resource) when { principal.clearance < 1 };

@approval permit (principal, action == Action::"crm__export_customers", resource)
when { context.arguments has id || true };
forbid (principal, action == Action::"crm__export_customers", resource) when { context.hour == 10 };
`,
  });
  const service = await load();
  const mayCall = (agent: string, tool: string): boolean => {
    const { arguments: _ignored, ...request } = requestFor(loaded, agent, tool);
    return service.mayCall(request);
  };
  assert.equal(mayCall('finance-bot', 'payments__transfer'), true, 'a permit that depends on the amount');
  assert.equal(mayCall('support-bot', 'payments__transfer'), false, 'no permit whatever the arguments');
  assert.equal(mayCall('support-bot', 'mail__send_email'), true, 'a forbid that some recipients avoid');
  assert.equal(mayCall('finance-bot', 'mail__send_email'), false);
  assert.equal(mayCall('support-bot', 'crm__read_customer'), true);
  assert.equal(
    mayCall('intern-bot', 'crm__read_customer'),
    false,
    'a forbid that holds whatever the arguments',
  );
  assert.equal(
    mayCall('support-bot', 'crm__export_customers'),
    false,
    'forbidden at 10:00, the request time',
  );
  assert.equal(mayCall('support-bot', 'crm__delete_customer'), false, 'no policy at all');
});

void test('with the example policies each example agent sees exactly its least-privilege tools', async (t) => {
  const loaded = await loadConfig({ path: EXAMPLE_CONFIG, env: {} });
  const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
  t.after(() => service.close());
  const tools = Object.entries(loaded.config.servers).flatMap(([server, spec]) =>
    Object.keys(spec.tools).map((tool) => `${server}__${tool}`),
  );
  const visible = (agent: string): string[] =>
    tools.filter((tool) => {
      const { arguments: _ignored, ...request } = requestFor(loaded, agent, tool);
      return service.mayCall(request);
    });
  assert.deepEqual(visible('support-bot'), [
    'crm__read_customer',
    'crm__search_customers',
    'crm__update_customer',
    'mail__send_email',
  ]);
  assert.deepEqual(visible('finance-bot'), ['payments__get_balance', 'payments__transfer']);
  assert.deepEqual(visible('research-bot'), ['mail__read_inbox', 'files__read_file']);
});
