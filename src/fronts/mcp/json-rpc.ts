/** JSON-RPC error responses for /mcp: every refusal is a well-formed JSON-RPC error carrying the Warden code. */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { WardenError } from '../../core/index.js';

/** JSON-RPC error codes Warden answers with on /mcp. */
export const JSON_RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Implementation-defined server error: authentication, authorization, limits. */
  SERVER_ERROR: -32000,
  /** The code the MCP SDK uses for an unknown session. */
  SESSION_NOT_FOUND: -32001,
} as const;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string; data: ReturnType<WardenError['toJSON']> };
}

/** The JSON-RPC error body for `error`: message `WARDEN_CODE: text`, data = the Warden error. */
export function jsonRpcError(
  error: WardenError,
  rpcCode: number = JSON_RPC.SERVER_ERROR,
  id: string | number | null = null,
): JsonRpcErrorBody {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: rpcCode, message: `${error.code}: ${error.message}`, data: error.toJSON() },
  };
}

/** Sends `error` as a JSON-RPC error with the Warden code's HTTP status (or `status`). */
export function sendJsonRpcError(
  reply: FastifyReply,
  error: WardenError,
  options: { rpcCode?: number; status?: number; headers?: Record<string, string> } = {},
): FastifyReply {
  void reply.code(options.status ?? error.status).header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(options.headers ?? {})) void reply.header(name, value);
  return reply.send(jsonRpcError(error, options.rpcCode));
}

/** Writes a JSON-RPC error straight to a raw response (after the reply was hijacked), if nothing was sent yet. */
export function writeRawJsonRpcError(response: ServerResponse, error: WardenError, rpcCode: number): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify(jsonRpcError(error, rpcCode));
  response.writeHead(error.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}
