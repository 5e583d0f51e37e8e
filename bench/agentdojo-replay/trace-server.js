#!/usr/bin/env node
// Trace-answering MCP server (stdio) for the AgentDojo replay: it offers the suite's tools with their
// JSON Schemas and answers each call from the replay script the runner writes, never from a model.
//
//   AGENTDOJO_TOOLS=tools.json AGENTDOJO_SCRIPT=script.json node trace-server.js
//
// tools.json:  [{ name, description, inputSchema }]
// script.json: { replay: "<id>", steps: [{ function, args, output, isError }] }, rewritten by the
//              runner before each replay. A call takes the first unused step of the current replay
//              with the same function and equal arguments (else the first unused one with the same
//              function); a call no step answers gets an error result naming the replay.
import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

function readJson(variable) {
  const path = process.env[variable];
  if (path === undefined || path === '') throw new Error(`trace-server: set ${variable} to a JSON file`);
  const text = readFileSync(path, 'utf8');
  if (text.length > MAX_FILE_BYTES)
    throw new Error(`trace-server: ${path} is larger than ${MAX_FILE_BYTES} bytes`);
  return JSON.parse(text);
}

/** JSON with object keys sorted, so argument objects compare by value. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const tools = readJson('AGENTDOJO_TOOLS');
let currentReplay = null;
let used = new Set();

const server = new Server({ name: 'agentdojo-trace', version: '1.0.0' }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const script = readJson('AGENTDOJO_SCRIPT');
  if (script.replay !== currentReplay) {
    currentReplay = script.replay;
    used = new Set();
  }
  const name = request.params.name;
  const args = canonical(request.params.arguments ?? {});
  const free = script.steps
    .map((step, index) => ({ step, index }))
    .filter(({ step, index }) => !used.has(index) && step.function === name);
  const match = free.find(({ step }) => canonical(step.args) === args) ?? free[0];
  if (match === undefined) {
    return {
      content: [{ type: 'text', text: `no step of replay ${currentReplay} answers a call of ${name}` }],
      isError: true,
    };
  }
  used.add(match.index);
  return { content: [{ type: 'text', text: match.step.output }], isError: match.step.isError === true };
});

await server.connect(new StdioServerTransport());
