#!/usr/bin/env node
// Demo CRM: an MCP server over stdio holding customer records in memory (seeded from
// data/customers.json; changes are lost when it exits). For the Warden demo only.
//
//   node examples/servers/crm.js            # serve over stdio
//   CRM_SEED=path/to/customers.json node examples/servers/crm.js
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const seedPath = process.env.CRM_SEED ?? new URL('./data/customers.json', import.meta.url);
/** @type {Array<Record<string, unknown> & { id: string }>} */
const customers = JSON.parse(readFileSync(seedPath, 'utf8'));

/** Fields update_customer may change; id, nationalId and createdAt are fixed. */
const UPDATABLE = ['name', 'email', 'phone', 'address', 'city', 'country', 'tier', 'notes'];

/** Lower case without diacritics, so "nguyen" finds "Nguyễn" and "da nang" finds "Đà Nẵng". */
function fold(text) {
  return String(text)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

function text(value) {
  return {
    content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
  };
}

function toolError(message) {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function findCustomer(id) {
  return customers.find((customer) => customer.id === id);
}

function csvCell(value) {
  const cell = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

const server = new McpServer({ name: 'warden-demo-crm', version: '1.0.0' });

server.registerTool(
  'read_customer',
  {
    title: 'Read customer',
    description: 'Read one customer record by id (e.g. c-1001).',
    inputSchema: { id: z.string().min(1).max(64).describe('Customer id, e.g. c-1001') },
    annotations: { readOnlyHint: true },
  },
  async ({ id }) => {
    const customer = findCustomer(id);
    return customer ? text(customer) : toolError(`No customer with id "${id}".`);
  },
);

server.registerTool(
  'search_customers',
  {
    title: 'Search customers',
    description:
      'Find customers whose name, email, phone or city contains the query (accents and case ignored). Returns id, name, email and city.',
    inputSchema: {
      query: z.string().min(1).max(200).describe('Text to look for, e.g. "nguyen" or "Đà Nẵng"'),
      limit: z.number().int().min(1).max(100).default(10).describe('Most results to return'),
    },
    annotations: { readOnlyHint: true },
  },
  async ({ query, limit }) => {
    const needle = fold(query);
    const digits = query.replace(/\D/g, '');
    const matches = customers
      .filter((customer) => {
        const haystack = fold([customer.name, customer.email, customer.city].join(' '));
        const phone = String(customer.phone ?? '').replace(/\D/g, '');
        return haystack.includes(needle) || (digits.length >= 4 && phone.includes(digits));
      })
      .slice(0, limit)
      .map(({ id, name, email, city }) => ({ id, name, email, city }));
    return text({ count: matches.length, customers: matches });
  },
);

server.registerTool(
  'update_customer',
  {
    title: 'Update customer',
    description: `Change fields of a customer record. Fields that can change: ${UPDATABLE.join(', ')}.`,
    inputSchema: {
      id: z.string().min(1).max(64).describe('Customer id, e.g. c-1001'),
      fields: z
        .record(z.string(), z.string().max(2000))
        .describe('Field name to new value, e.g. {"phone": "+84 90 000 0000"}'),
    },
  },
  async ({ id, fields }) => {
    const customer = findCustomer(id);
    if (!customer) return toolError(`No customer with id "${id}".`);
    const refused = Object.keys(fields).filter((field) => !UPDATABLE.includes(field));
    if (refused.length > 0) {
      return toolError(
        `These fields cannot be changed: ${refused.join(', ')}. Changeable: ${UPDATABLE.join(', ')}.`,
      );
    }
    Object.assign(customer, fields);
    return text(customer);
  },
);

server.registerTool(
  'export_customers',
  {
    title: 'Export customers',
    description: 'Export every customer record, as JSON or CSV.',
    inputSchema: { format: z.enum(['json', 'csv']).default('json').describe('json or csv') },
    annotations: { readOnlyHint: true },
  },
  async ({ format }) => {
    if (format === 'json') return text(customers);
    const columns = [
      'id',
      'name',
      'email',
      'phone',
      'nationalId',
      'country',
      'city',
      'address',
      'tier',
      'notes',
      'createdAt',
    ];
    const lines = [
      columns.join(','),
      ...customers.map((customer) => columns.map((column) => csvCell(customer[column])).join(',')),
    ];
    return text(lines.join('\n'));
  },
);

await server.connect(new StdioServerTransport());
