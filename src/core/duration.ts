/** Durations in config and CLI: a number of seconds, or a string such as `90s`, `10m`, `2h`, `7d`. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `10m` / `90s` / `600` to seconds; returns undefined when the text is not a duration. */
export function parseDurationSeconds(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(value);
  if (!match) return undefined;
  const unit = match[2] === '' ? 's' : (match[2] as string);
  return Number(match[1]) * (UNIT_SECONDS[unit] as number);
}
