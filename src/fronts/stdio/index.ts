/** The stdio front (`warden wrap`): one local stdio MCP server behind the same pipeline. */
export { serveStdio } from './wrap.js';
export type { RunningWrap, WrapOptions } from './wrap.js';
