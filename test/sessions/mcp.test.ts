import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { textOf } from '../pipeline/harness.js';
import { connectClient, startGatewayServer } from '../fronts/mcp/helpers.js';
import type { Connected, GatewayServer } from '../fronts/mcp/helpers.js';
import { ASSISTANT, EXFILTRATION_EMAIL, HARMLESS_EMAIL, TRIFECTA_OPTIONS } from './fixture.js';

describe('the lethal trifecta over the MCP front (official SDK client)', () => {
  let gateway: GatewayServer;
  const clients: Connected[] = [];

  before(async () => {
    gateway = await startGatewayServer(TRIFECTA_OPTIONS);
  });
  after(async () => {
    for (const connected of clients) await connected.close();
    await gateway?.close();
  });

  const connect = async (): Promise<Connected> => {
    const connected = await connectClient(gateway.url, await gateway.token(ASSISTANT), 'trifecta-test');
    clients.push(connected);
    return connected;
  };
  const call = async (
    connected: Connected,
    name: string,
    args: Record<string, unknown>,
    task?: string,
  ): Promise<{ isError: boolean; text: string }> => {
    const result = await connected.client.callTool({
      name,
      arguments: args,
      ...(task === undefined ? {} : { _meta: { 'warden/taskId': task } }),
    });
    return { isError: result.isError === true, text: textOf(result) };
  };

  test('untrusted mail, restricted customer data, then an outside email: denied, and nothing is sent', async () => {
    const agent = await connect();
    assert.equal((await call(agent, 'mail__read_inbox', { limit: 5 })).isError, false);
    assert.equal((await call(agent, 'crm__export_customers', {})).isError, false);
    const exfiltration = await call(agent, 'mail__send_email', EXFILTRATION_EMAIL);
    assert.equal(exfiltration.isError, true);
    assert.match(exfiltration.text, /^WARDEN_POLICY_DENIED: .*trifecta-restricted-stays-inside/);
    const sessionId = agent.transport.sessionId;
    assert.ok(sessionId !== undefined);
    const summary = gateway.server.warden.gateway?.sessions.get(sessionId);
    assert.equal(summary?.labels.untrusted, true);
    assert.equal(summary?.labels.maxClassification, 'restricted');
    assert.deepEqual(summary?.labels.riskCounts, { read: 2 });
  });

  test('untrusted mail, then an email to a colleague: held for a person', async () => {
    const agent = await connect();
    assert.equal((await call(agent, 'mail__read_inbox', { limit: 1 })).isError, false);
    const held = await call(agent, 'mail__send_email', { ...HARMLESS_EMAIL, subject: 'Re: hộp thư' });
    assert.equal(held.isError, true);
    assert.match(held.text, /^WARDEN_APPROVAL_PENDING: .*untrusted content/);
  });

  test('the harmless sequence passes: a customer record, then an email to a colleague', async () => {
    const agent = await connect();
    assert.equal((await call(agent, 'crm__read_customer', { id: 'c-1001' })).isError, false);
    const sent = await call(agent, 'mail__send_email', HARMLESS_EMAIL);
    assert.equal(sent.isError, false, sent.text);
  });

  test('a task spans MCP sessions: restricted data read in one stops an outside email in another', async () => {
    const task = 'case-7731';
    const reader = await connect();
    assert.equal((await call(reader, 'crm__export_customers', {}, task)).isError, false);
    const sender = await connect();
    const inTask = await call(sender, 'mail__send_email', EXFILTRATION_EMAIL, task);
    assert.match(inTask.text, /^WARDEN_POLICY_DENIED: .*trifecta-restricted-stays-inside/);
    const outsideTask = await call(sender, 'mail__send_email', {
      ...HARMLESS_EMAIL,
      subject: 'unrelated',
    });
    assert.equal(outsideTask.isError, false, outsideTask.text);
  });

  test('closing an MCP session drops its labels', async () => {
    const agent = await connect();
    await call(agent, 'crm__export_customers', {});
    const sessionId = agent.transport.sessionId!;
    const sessions = gateway.server.warden.gateway!.sessions;
    assert.equal(sessions.get(sessionId)?.labels.maxClassification, 'restricted');
    await agent.transport.terminateSession();
    await agent.close();
    assert.equal(sessions.get(sessionId), null);
  });
});
