/**
 * The `monitoring` section of warden.yaml: per-agent baselines, the alert rules with their thresholds,
 * severities, cooldowns and whether they quarantine, and the Prometheus `/metrics` endpoint. Strict like
 * the rest of the config; every default is safe (rules alert but quarantine nobody, /metrics is off).
 */
import { z } from 'zod';
import { SECRET_REFERENCE_PATTERN, duration, isTimeZone } from './primitives.js';

/** Webhook events about alerts (a webhook lists them in `events` to receive them). */
export const ALERT_EVENTS = ['alert-raised'] as const;

/** Alert severities, lowest first. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;

const cooldown = (seconds: number) =>
  duration.default(seconds).pipe(
    z
      .number()
      .min(1, 'at least 1 second')
      .max(7 * 86400, 'at most 7 days'),
  );

/** What every rule has: on/off, severity, quarantine, cooldown. */
function ruleFields(severity: (typeof ALERT_SEVERITIES)[number], cooldownSeconds: number) {
  return {
    enabled: z.boolean().default(true),
    severity: z.enum(ALERT_SEVERITIES).default(severity),
    /** Also suspend the agent (actor `monitor:<rule>`); off by default. */
    quarantine: z.boolean().default(false),
    /** After an alert, the same rule stays quiet for the same agent (and tool) this long. */
    cooldown: cooldown(cooldownSeconds),
  };
}

export const monitoringSchema = z
  .object({
    /** Run the alert rules (baselines are kept only while this is on). */
    enabled: z.boolean().default(true),
    /** IANA time zone for active hours; defaults to `policy.timezone`. */
    timezone: z
      .string()
      .min(1)
      .max(100)
      .refine(isTimeZone, 'must be an IANA time zone such as UTC or Asia/Ho_Chi_Minh')
      .optional(),
    /** Length of the window rates and volumes are counted over. */
    window: duration.default(300).pipe(z.number().min(60, 'at least 60 seconds').max(86400, 'at most 1 day')),
    baseline: z
      .object({
        /** History a baseline covers; rebuilt from the audit log at start. */
        days: z.number().int().min(1).max(90).default(14),
        /** No statistical alert before an agent has this many days of history... */
        minDays: z.number().min(0).max(90).default(3),
        /** ...and this many active windows (windows with at least one call). */
        minWindows: z.number().int().min(2).max(100_000).default(30),
        /** At most this many audit entries are read at start to rebuild the baselines (newest kept). */
        maxEntries: z.number().int().min(0).max(10_000_000).default(200_000),
      })
      .strict()
      .prefault({}),
    rules: z
      .object({
        /** Calls in the window far above the agent's usual rate (z-score over its active windows). */
        rateSpike: z
          .object({
            ...ruleFields('warning', 3600),
            zScore: z.number().min(1).max(100).default(4),
            /** Never fire below this many calls in the window. */
            minCalls: z.number().int().min(1).max(1_000_000).default(20),
          })
          .strict()
          .prefault({}),
        /** A declared tool the agent never used in its baseline history. */
        newTool: z
          .object({
            ...ruleFields('info', 86400),
            /** The agent needs at least this many calls of history before a first use counts. */
            minCalls: z.number().int().min(1).max(1_000_000).default(50),
          })
          .strict()
          .prefault({}),
        /** Bytes of tool results read in the window far above the agent's usual volume. */
        volumeSpike: z
          .object({
            ...ruleFields('warning', 3600),
            /** Fire at this many times the mean bytes of the agent's active windows... */
            factor: z.number().min(1).max(1_000_000).default(10),
            /** ...and at least this many bytes in the window. */
            minBytes: z
              .number()
              .int()
              .min(1)
              .max(1024 ** 4)
              .default(1024 * 1024),
          })
          .strict()
          .prefault({}),
        /** Many calls denied or refused in the window (no history needed). */
        denialBurst: z
          .object({
            ...ruleFields('warning', 3600),
            /** At least this many denials in the window... */
            minDenials: z.number().int().min(1).max(1_000_000).default(10),
            /** ...making up at least this share of the agent's calls in it. */
            ratio: z.number().min(0).max(1).default(0.5),
          })
          .strict()
          .prefault({}),
        /** A call at an hour of the day the agent (almost) never worked in. */
        offHours: z
          .object({
            ...ruleFields('info', 3600),
            /** Fire when the hour holds less than this share of the agent's history. */
            maxShare: z.number().min(0).max(1).default(0.005),
            /** Days of history needed before this rule can fire. */
            minDays: z.number().min(1).max(90).default(7),
            /** Calls of history needed before this rule can fire. */
            minCalls: z.number().int().min(1).max(1_000_000).default(100),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** Serve Prometheus metrics at GET /metrics. */
        enabled: z.boolean().default(false),
        /**
         * Bearer token scrapers must send (a reference such as "${env:WARDEN_METRICS_TOKEN}"). Without
         * one, /metrics answers only connections from the loopback address.
         */
        token: z
          .string()
          .regex(
            SECRET_REFERENCE_PATTERN,
            'must be a reference such as "${env:NAME}" or "${file:path}", never the secret itself',
          )
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The resolved `monitoring` section. */
export type MonitoringConfig = z.output<typeof monitoringSchema>;
