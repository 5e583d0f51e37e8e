export { ERROR_CODES, WardenError, isWardenError, toWardenError } from './errors.js';
export type { ErrorCode, ErrorDetails } from './errors.js';
export { systemClock, ManualClock, isoTime } from './clock.js';
export type { Clock } from './clock.js';
export { newId, NAME_PATTERN } from './ids.js';
export { parseDurationSeconds } from './duration.js';
export type { JsonPrimitive, JsonValue, JsonObject } from './json.js';
export { applyEdits, forEachString, pointerKeys, replaceSpans, valueAt } from './json-edits.js';
export type { SpanReplacement } from './json-edits.js';
