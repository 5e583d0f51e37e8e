/**
 * The web console in a real browser (Debian's Chromium via playwright-core) against a real Warden
 * process on the example configuration: people sign in, decide approvals a real MCP client waits on,
 * suspend an agent and search the audit log; an auditor can only read, and the server refuses a
 * forged request too. Each page is saved as a screenshot (test/browser/artifacts/).
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT, requestToken, waitFor } from '../e2e/helpers.js';
import { connectClient } from '../fronts/mcp/helpers.js';
import { textOf } from '../pipeline/harness.js';
import {
  DEMO_ADMINS,
  buildConsole,
  chromiumMissing,
  launchChromium,
  screenshot,
  signIn,
  startConsoleServer,
} from './helpers.js';
import type { ConsoleServer } from './helpers.js';

const skip = chromiumMissing();
if (skip !== false) console.log(`# skipping the console browser tests: ${skip}`);

interface Forged {
  status: number;
  code: string | undefined;
}

describe('the web console in Chromium', { skip }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let adminPage: Page;
  let approverPage: Page;
  let financeSecret: string;
  let agent: { client: Client; close: () => Promise<void> };
  const pageErrors: string[] = [];

  const newPage = async (width = 1280, height = 860): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height }, reducedMotion: 'reduce' });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // A Content-Security-Policy violation or a failed load is a bug in the page.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        pageErrors.push(message.text());
    });
    return page;
  };

  const transfer = (amount: number, to: string) =>
    agent.client.callTool(
      { name: 'payments__transfer', arguments: { from_account: 'acct-operating', to_account: to, amount } },
      undefined,
      { timeout: 90_000, resetTimeoutOnProgress: true },
    );

  /** Opens the approvals queue and waits (the page polls) for the request of this amount. */
  const openPending = async (page: Page, amount: number): Promise<string> => {
    await page.getByRole('link', { name: 'Approvals', exact: true }).click();
    const row = page.locator('tr[data-approval]', { hasText: 'payments__transfer' }).first();
    await row.waitFor();
    const id = await row.getAttribute('data-approval');
    assert.ok(id !== null);
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: `Approval ${id}` }).waitFor();
    await page
      .getByLabel('Arguments')
      .filter({ hasText: String(amount) })
      .waitFor();
    return id;
  };

  before(async () => {
    await buildConsole();
    server = await startConsoleServer();
    browser = await launchChromium();
  });

  after(async () => {
    await agent?.close();
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  test('the built page loads nothing from elsewhere and has no inline script', async () => {
    const dist = join(REPO_ROOT, 'dist', 'console');
    const html = await readFile(join(dist, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) {
      assert.match(tag, /src="\/console\/assets\/[^"]+\.js"/, `an inline script: ${tag}`);
      assert.match(tag, /><\/script>$/, `a script with a body: ${tag}`);
    }
    const files = await readdir(join(dist, 'assets'));
    for (const file of files) {
      const text = await readFile(join(dist, 'assets', file), 'utf8');
      assert.doesNotMatch(text, /@import\s+url\(|fonts\.googleapis|cdn\.|unpkg\.com|jsdelivr/, file);
    }
    const response = await fetch(`${server.url}/console/approvals`);
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get('content-security-policy') ?? '',
      /default-src 'self'.*frame-ancestors 'none'/,
    );
  });

  test('an admin signs in and rotates an agent secret, shown once', async () => {
    adminPage = await newPage();
    await adminPage.goto(`${server.url}/console/`);
    await adminPage.getByLabel('User name').waitFor();
    await screenshot(adminPage, 'sign-in');

    // A wrong password is refused with Warden's message, and the page stays on the sign-in form.
    await adminPage.getByLabel('User name').fill(DEMO_ADMINS.admin.name);
    await adminPage.getByLabel('Password').fill('not-the-password');
    await adminPage.getByRole('button', { name: 'Sign in' }).click();
    await adminPage.getByRole('alert').filter({ hasText: 'WARDEN_ADMIN_UNAUTHENTICATED' }).waitFor();

    await signIn(adminPage, server.url, DEMO_ADMINS.admin);
    await adminPage.getByRole('link', { name: 'Agents' }).click();
    const row = adminPage.locator('tr[data-agent="finance-bot"]');
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const secretField = adminPage.getByLabel('Client secret');
    await secretField.waitFor();
    financeSecret = await secretField.inputValue();
    assert.ok(financeSecret.length >= 20, 'a client secret is shown');

    const token = await requestToken(server.url, 'finance-bot', financeSecret);
    assert.equal(token.status, 200, await token.clone().text());
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    agent = await connectClient(server.url, accessToken, 'console-test-agent');
    await screenshot(adminPage, 'agents');
    await adminPage.getByRole('button', { name: /hide it/ }).click();
    assert.equal(await adminPage.getByLabel('Client secret').count(), 0, 'the secret is gone once hidden');
  });

  test('an approver approves a held call in the console and the waiting MCP client gets the result', async () => {
    approverPage = await newPage();
    await signIn(approverPage, server.url, DEMO_ADMINS.approver);
    const call = transfer(60_000_000, 'vcb-0071000123456');
    await approverPage.getByRole('heading', { name: 'Approvals' }).waitFor();
    const row = approverPage.locator('tr[data-approval]', { hasText: 'finance-bot' }).first();
    await row.waitFor();
    await screenshot(approverPage, 'approvals');

    await openPending(approverPage, 60_000_000);
    await approverPage.getByLabel(/^Reason/).fill('invoice 2026-114 checked');
    await screenshot(approverPage, 'approval-detail');
    await approverPage.getByRole('button', { name: 'Approve', exact: true }).click();
    await approverPage.getByText('Your approval is recorded.').waitFor();

    const result = await call;
    assert.notEqual(result.isError, true, textOf(result));
    assert.match(textOf(result), /60000000|transfer/i);

    // The agent's open session shows its labels and the calls it made.
    await adminPage.getByRole('link', { name: 'Sessions' }).click();
    const session = adminPage.locator('tbody tr', { hasText: 'finance-bot' }).first();
    await session.getByRole('link').click();
    await adminPage.getByLabel('Recent calls').getByText('payments__transfer').first().waitFor();
    await screenshot(adminPage, 'sessions');
  });

  test('an approver denies a call with a reason and the client sees the reason', async () => {
    const call = transfer(70_000_000, 'acb-99887766');
    await openPending(approverPage, 70_000_000);
    await approverPage.getByLabel(/^Reason/).fill('not on the vendor list');
    await approverPage.getByRole('button', { name: 'Deny', exact: true }).click();
    await approverPage.getByText('The request is denied.').waitFor();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /WARDEN_APPROVAL_DENIED: admin:bao denied .*not on the vendor list/);
  });

  test('an auditor reads a pending request but cannot approve it, in the page or by a forged request', async () => {
    const call = transfer(80_000_000, 'tcb-19034567890123');
    const auditorPage = await newPage();
    await signIn(auditorPage, server.url, DEMO_ADMINS.auditor);
    await auditorPage.getByText('read only').waitFor();
    const id = await openPending(auditorPage, 80_000_000);
    await auditorPage.getByTestId('cannot-decide').waitFor();
    assert.equal(await auditorPage.getByRole('button', { name: 'Approve', exact: true }).count(), 0);
    assert.equal(await auditorPage.getByRole('button', { name: 'Deny', exact: true }).count(), 0);
    await screenshot(auditorPage, 'approval-auditor');

    // The server is the authority: the auditor's own session, with a valid CSRF token, is refused.
    const forged = await auditorPage.evaluate(async (approvalId): Promise<Forged> => {
      const session = (await (await fetch('/admin/session')).json()) as { csrfToken: string };
      const response = await fetch(`/admin/approvals/${approvalId}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-warden-csrf': session.csrfToken },
        body: JSON.stringify({ reason: 'forged' }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      return { status: response.status, code: body.error?.code };
    }, id);
    assert.deepEqual(forged, { status: 403, code: 'WARDEN_ADMIN_FORBIDDEN' });

    // And a change without the CSRF header is refused even for an approver.
    const noCsrf = await approverPage.evaluate(async (approvalId): Promise<Forged> => {
      const response = await fetch(`/admin/approvals/${approvalId}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'no token' }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      return { status: response.status, code: body.error?.code };
    }, id);
    assert.deepEqual(noCsrf, { status: 403, code: 'WARDEN_CSRF_INVALID' });

    // The approver denies it in the console, so the client's call ends.
    await openPending(approverPage, 80_000_000);
    await approverPage.getByLabel(/^Reason/).fill('auditor test done');
    await approverPage.getByRole('button', { name: 'Deny', exact: true }).click();
    const result = await call;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /WARDEN_APPROVAL_DENIED/);
  });

  test('an admin suspends the agent in the console, its next call is refused, and resumes it', async () => {
    await adminPage.getByRole('link', { name: 'Agents' }).click();
    const row = adminPage.locator('tr[data-agent="finance-bot"]');
    await row.getByRole('button', { name: 'Suspend' }).click();
    await adminPage.locator('#agent-reason').fill('incident 42');
    await adminPage
      .locator('form', { has: adminPage.locator('#agent-reason') })
      .getByRole('button', { name: 'Suspend' })
      .click();
    await row.getByText('suspended', { exact: true }).waitFor();
    await row.getByText('incident 42').waitFor();

    const outcome = await agent.client
      .callTool({ name: 'payments__get_balance', arguments: { account: 'acct-operating' } })
      .then(
        (result) => `${result.isError === true ? 'error' : 'ok'}: ${textOf(result)}`,
        (error: unknown) => `thrown: ${error instanceof Error ? error.message : String(error)}`,
      );
    assert.match(outcome, /WARDEN_AGENT_SUSPENDED/);
    assert.doesNotMatch(outcome, /^ok:/);
    const token = await requestToken(server.url, 'finance-bot', financeSecret);
    assert.notEqual(token.status, 200, 'a suspended agent gets no new token');
    await screenshot(adminPage, 'agents-suspended');

    // Resuming (the reason is optional) lets it in again.
    await row.getByRole('button', { name: 'Resume' }).click();
    await adminPage
      .locator('form', { has: adminPage.locator('#agent-reason') })
      .getByRole('button', { name: 'Resume' })
      .click();
    await row.getByText('active', { exact: true }).waitFor();
    const again = await requestToken(server.url, 'finance-bot', financeSecret);
    assert.equal(again.status, 200, await again.clone().text());
  });

  test('the audit search finds the approvals, the denial and the suspension', async () => {
    await adminPage.getByRole('link', { name: 'Audit' }).click();
    await adminPage.getByTestId('chain').filter({ hasText: 'Chain intact' }).waitFor();
    await adminPage.getByLabel('Agent').fill('finance-bot');
    await adminPage.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (adminPage.url().includes('agent=finance-bot') ? true : undefined));
    // By the agent: what it did (allowed, denied, refused) and what was done to it (suspended).
    for (const type of ['tool-call-approval-required', 'tool-call-allowed', 'agent-suspended']) {
      await adminPage.locator(`tr[data-type="${type}"]`).first().waitFor();
    }
    await screenshot(adminPage, 'audit');

    await adminPage.getByLabel('Agent').fill('');
    await adminPage.getByLabel('Event type').fill('approval-denied');
    await adminPage.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (adminPage.url().includes('type=approval-denied') ? true : undefined));
    const denied = adminPage.locator('tbody tr');
    await adminPage.locator('tr[data-type="approval-denied"]').first().waitFor();
    await waitFor(async () => ((await denied.count()) === 2 ? true : undefined), {
      describe: () => 'exactly the two denials',
    });
    for (const row of await denied.all())
      assert.equal(await row.getAttribute('data-type'), 'approval-denied');
    await denied.first().getByRole('link').click();
    await adminPage.getByRole('heading', { name: /^Entry \d+$/ }).waitFor();
    await adminPage
      .getByLabel('Entry detail')
      .filter({ hasText: /auditor test done|not on the vendor list/ })
      .waitFor();
    await screenshot(adminPage, 'audit-entry');
  });

  test('the alerts and policies pages answer, and what-if explains a decision', async () => {
    await adminPage.getByRole('link', { name: 'Alerts' }).click();
    await adminPage.getByRole('heading', { name: 'Alerts' }).waitFor();
    await adminPage.locator('table, .message').first().waitFor();
    await screenshot(adminPage, 'alerts');

    await adminPage.getByRole('link', { name: 'Policies' }).click();
    await adminPage.getByText('finance-large-transfers-need-approval').first().waitFor();
    await adminPage.getByLabel('Agent').selectOption('finance-bot');
    await adminPage.getByLabel('Tool').fill('payments__transfer');
    await adminPage
      .getByLabel(/^Arguments/)
      .fill('{"amount": 60000000, "from_account": "acct-operating", "to_account": "vcb-1"}');
    await adminPage.getByRole('button', { name: 'Ask' }).click();
    await adminPage.getByTestId('what-if-decision').filter({ hasText: 'approval_required' }).waitFor();
    await screenshot(adminPage, 'policies');
  });

  test('at phone width the queue and the navigation fit the screen and work by keyboard', async () => {
    const phone = await newPage(375, 760);
    await signIn(phone, server.url, DEMO_ADMINS.approver);
    await phone.getByRole('heading', { name: 'Approvals' }).waitFor();
    await phone.getByLabel('Show').selectOption('');
    await phone.locator('tr[data-approval]').first().waitFor();
    // (Expressions as strings: this file is type-checked without the DOM library.)
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await screenshot(phone, 'approvals-phone');

    // A reload keeps the session (the cookie) and the page (a client route served as index.html).
    await phone.reload();
    await phone.getByRole('heading', { name: 'Approvals' }).waitFor();
    // Keyboard only: skip link first, then the navigation; Enter on "Audit" opens it.
    await phone.keyboard.press('Tab');
    assert.equal(await phone.locator(':focus').textContent(), 'Skip to content');
    for (let index = 0; index < 2; index += 1) await phone.keyboard.press('Tab');
    assert.equal(await phone.locator(':focus').textContent(), 'Audit');
    const outline = await phone.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    assert.notEqual(outline, 'none', 'the focused link shows a focus outline');
    await phone.keyboard.press('Enter');
    await phone.getByRole('heading', { name: 'Audit log' }).waitFor();
  });

  test('signing out ends the session: the API refuses the old cookie', async () => {
    await approverPage.getByRole('button', { name: 'Sign out' }).click();
    await approverPage.getByLabel('User name').waitFor();
    const status = await approverPage.evaluate(async () => (await fetch('/admin/approvals')).status);
    assert.equal(status, 401);
    assert.deepEqual(pageErrors, [], 'no script errors or blocked loads in the pages');
  });
});
