/**
 * Content inspection as the gateway wires it: one scanner (every detector and the injection scorer),
 * one token vault (per-session keys, in memory), one engine, adapted to the pipeline's
 * ContentInspector contract. Also the masking approvers see by default.
 */
import type { ResolvedConfig } from '../config/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import {
  InspectionEngine,
  Scanner,
  TokenVault,
  createInjectionScorer,
  defaultDetectors,
} from '../inspect/index.js';
import type { ContentInspector, ToolCallRequest } from '../pipeline/index.js';
import type { CallToolResult, UpstreamTool } from '../upstream/index.js';

export interface GatewayInspection {
  /** What the pipeline calls; null when `inspection.enabled` is false. */
  inspector: ContentInspector | null;
  /**
   * Masks every PII and secret finding in a value as `[TYPE]` (the redacted view of a held call's
   * arguments). Fails closed: a value that cannot be scanned is replaced whole.
   */
  mask(value: JsonObject): JsonObject;
}

/** Builds the inspection of a gateway from the configuration. */
export function createGatewayInspection(config: ResolvedConfig, clock: Clock): GatewayInspection {
  const scanner = new Scanner(defaultDetectors(), createInjectionScorer());
  const vault = new TokenVault({ clock, ttlSeconds: config.inspection.tokenTtl });
  const engine = new InspectionEngine({ config, scanner, vault });
  // Same scan settings as the engine (limits, minimum confidence, ignored types); fails closed.
  const mask = (value: JsonObject): JsonObject => {
    try {
      return engine.maskAll(value);
    } catch {
      return { '[WITHHELD]': 'the arguments could not be inspected; reveal them to see them' };
    }
  };
  if (!config.inspection.enabled) return { inspector: null, mask };
  const contextOf = (request: ToolCallRequest, tool: UpstreamTool, clearance: string) => ({
    sessionId: request.session.id,
    agentClearance: clearance,
    server: tool.server,
    tool: tool.name,
    exposedName: tool.exposedName,
  });
  const untrusted = (tool: UpstreamTool): boolean =>
    config.servers[tool.server]?.tools[tool.name]?.untrustedOutput === true;
  return {
    mask,
    inspector: {
      inspectArguments(request, tool, args, agent) {
        const inspected = engine.inspectArguments(contextOf(request, tool, agent.clearance), args);
        return { arguments: inspected.arguments, findings: inspected.summary, masked: inspected.masked };
      },
      inspectResult(request, tool, result, agent) {
        const inspected = engine.inspectResult(
          contextOf(request, tool, agent.clearance),
          result as unknown as JsonObject,
          { untrustedOutput: untrusted(tool) },
        );
        return {
          result: inspected.result as unknown as CallToolResult,
          findings: inspected.summary,
          injection: inspected.injection,
        };
      },
      endSession: (sessionId) => vault.expire(sessionId),
      mask,
    },
  };
}
