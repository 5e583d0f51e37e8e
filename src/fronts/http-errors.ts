/** Maps errors raised by Fastify itself (body limits, content types, JSON syntax) onto Warden codes. */
import type { FastifyError } from 'fastify';
import { WardenError } from '../core/index.js';

/**
 * Maps Fastify's own errors (body too large, bad JSON, wrong content type, rate limits) onto Warden
 * codes; WardenErrors pass through; anything else is an internal error without details.
 */
export function toHttpError(error: FastifyError | WardenError, bodyLimit: number): WardenError {
  if (error instanceof WardenError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new WardenError(
        'WARDEN_BODY_TOO_LARGE',
        `the request body is larger than ${bodyLimit} bytes; send less, or raise server.bodyLimit in the config`,
        { limit: bodyLimit },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new WardenError(
        'WARDEN_UNSUPPORTED_MEDIA_TYPE',
        'this content type is not accepted; send application/json (or application/x-www-form-urlencoded to /oauth/token)',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new WardenError('WARDEN_BAD_REQUEST', `${error.message}; send a well-formed JSON body`);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new WardenError('WARDEN_BAD_REQUEST', `the request is malformed: ${error.message}`);
      }
      return new WardenError('WARDEN_INTERNAL', 'an internal error occurred; the server log has the details');
  }
}
