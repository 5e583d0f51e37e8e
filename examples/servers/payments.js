#!/usr/bin/env node
// Demo payments ledger: an MCP server over stdio with a few company accounts in Vietnamese đồng
// (integer amounts, no decimals). Transfers change balances in memory only. For the demo only.
//
//   node examples/servers/payments.js
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

/** The company's own accounts; transfers debit one of these. */
const ACCOUNTS = new Map(
  [
    {
      id: 'acct-operating',
      name: 'Công ty TNHH Example Việt Nam: tài khoản vận hành (operating)',
      balance: 2_450_000_000,
    },
    { id: 'acct-payroll', name: 'Công ty TNHH Example Việt Nam: lương (payroll)', balance: 780_000_000 },
    {
      id: 'acct-savings',
      name: 'Công ty TNHH Example Việt Nam: tiết kiệm (savings)',
      balance: 5_000_000_000,
    },
  ].map((account) => [account.id, account]),
);

/** Known outside payees, shown by name in transfer receipts; any other outside account is accepted too. */
const PAYEES = new Map([
  ['vcb-0071000123456', 'Công ty CP Cà phê Sài Gòn (Vietcombank)'],
  ['tcb-19033456789012', 'FPT Telecom (Techcombank)'],
  ['bidv-12510000987654', 'Nguyễn Văn Bình (BIDV)'],
  ['intl-de89370400440532013000', 'Schäfer Consulting GmbH (IBAN DE89 3704 0044 0532 0130 00)'],
]);

const ACCOUNT_ID = z
  .string()
  .regex(/^[a-z]{2,8}-[a-z0-9-]{3,40}$/, 'an account id such as acct-operating or vcb-0071000123456');

const vnd = new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND' });

function text(value) {
  return {
    content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
  };
}

function toolError(message) {
  return { content: [{ type: 'text', text: message }], isError: true };
}

const server = new McpServer({ name: 'warden-demo-payments', version: '1.0.0' });

server.registerTool(
  'get_balance',
  {
    title: 'Get balance',
    description: `Current balance of a company account (${[...ACCOUNTS.keys()].join(', ')}), in VND.`,
    inputSchema: { account: ACCOUNT_ID.describe('Account id, e.g. acct-operating') },
    annotations: { readOnlyHint: true },
  },
  async ({ account }) => {
    const found = ACCOUNTS.get(account);
    if (!found)
      return toolError(`No company account "${account}". Accounts: ${[...ACCOUNTS.keys()].join(', ')}.`);
    return text({
      account: found.id,
      name: found.name,
      balance: found.balance,
      currency: 'VND',
      formatted: vnd.format(found.balance),
    });
  },
);

server.registerTool(
  'transfer',
  {
    title: 'Transfer',
    description:
      'Move money from a company account to another account. Amount in whole Vietnamese đồng (VND).',
    inputSchema: {
      from_account: ACCOUNT_ID.describe('Company account to debit, e.g. acct-operating'),
      to_account: ACCOUNT_ID.describe(
        'Account to credit: a company account or a payee such as vcb-0071000123456',
      ),
      amount: z.number().int().positive().max(1_000_000_000_000).describe('Amount in VND (integer)'),
      memo: z.string().max(200).default('').describe('Payment reference shown to the payee'),
    },
    annotations: { destructiveHint: true },
  },
  async ({ from_account, to_account, amount, memo }) => {
    const from = ACCOUNTS.get(from_account);
    if (!from) return toolError(`Transfers must come from a company account; "${from_account}" is not one.`);
    if (to_account === from_account) return toolError('The source and destination accounts are the same.');
    if (from.balance < amount) {
      return toolError(
        `Insufficient funds in ${from_account}: balance ${vnd.format(from.balance)}, transfer ${vnd.format(amount)}.`,
      );
    }
    from.balance -= amount;
    const to = ACCOUNTS.get(to_account);
    if (to) to.balance += amount;
    return text({
      transferId: `tx-${randomUUID()}`,
      status: 'completed',
      from_account,
      to_account,
      payee: to?.name ?? PAYEES.get(to_account) ?? 'external account',
      amount,
      currency: 'VND',
      formatted: vnd.format(amount),
      memo,
      balanceAfter: from.balance,
    });
  },
);

await server.connect(new StdioServerTransport());
