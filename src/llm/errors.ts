/**
 * Unexpected errors on the LLM path: an error that is not a WardenError (a bug, a failed component)
 * never reaches the agent word for word. It is logged with the request id, and the agent gets a
 * generic WARDEN_INTERNAL naming that id, as the MCP pipeline does for tool calls.
 */
import { WardenError } from '../core/index.js';

/** Where an unexpected error is logged: the server log. */
export type UnexpectedErrorLog = (fields: object, message: string) => void;

/**
 * `thrown` when it is a WardenError; otherwise logs it (with `requestId`) and returns a generic
 * WARDEN_INTERNAL that tells a person where the details are.
 *
 * @example
 * const error = toLlmError(thrown, request.id, (fields, message) => request.log.error(fields, message));
 */
export function toLlmError(
  thrown: unknown,
  requestId: string,
  log: UnexpectedErrorLog | undefined,
): WardenError {
  if (thrown instanceof WardenError) return thrown;
  log?.({ err: thrown, requestId }, 'an LLM request failed unexpectedly');
  return new WardenError(
    'WARDEN_INTERNAL',
    `an internal error occurred; the server log has the details under request id ${requestId}`,
    { requestId },
  );
}
