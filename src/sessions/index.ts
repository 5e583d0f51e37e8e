/** Session labels: what each MCP session and declared task has read and done, for policy and people. */
export { SessionTracker, TASK_ID_PATTERN, TASK_META_KEY } from './tracker.js';
export type { CallLabels, SessionTrackerOptions } from './tracker.js';
export type { ResultLabels, SessionCall, SessionLabelsSummary, SessionSummary } from './types.js';
