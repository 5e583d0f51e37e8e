/**
 * Per-agent baselines in bounded memory: counts per fixed window (calls, denials, bytes read) kept
 * for the baseline period with running sums, a sliding count over the last window, the tools used and
 * when, and calls per half-hour bucket folded into hours of the day. Everything older than the
 * baseline period is forgotten, so a baseline follows the agent's behaviour as it changes.
 */

const MINUTE_MS = 60_000;
const HALF_HOUR_MS = 30 * MINUTE_MS;
/** Sub-buckets of a window used for the sliding count. */
const SLICES_PER_WINDOW = 10;

/** Mean and standard deviation of a series over its active (non-zero) closed windows. */
export interface WindowStats {
  /** Closed windows with a non-zero value within the baseline period. */
  windows: number;
  mean: number;
  stddev: number;
}

/**
 * Values summed per aligned window of `windowMs`, kept for `retentionMs`, with running sums over the
 * closed windows, plus a sliding sum over the last `windowMs`. Values at a time before the open
 * window are counted in the open window (the audit clock does not go back by more than a batch).
 */
export class WindowSeries {
  readonly #windowMs: number;
  readonly #sliceMs: number;
  readonly #retentionMs: number;
  /** Closed non-zero windows, oldest first (from #head on). */
  #closed: Array<{ index: number; value: number }> = [];
  #head = 0;
  #sum = 0;
  #sumSquares = 0;
  #openIndex = Number.NEGATIVE_INFINITY;
  #openValue = 0;
  /** Non-zero slices of the last window, oldest first. */
  #slices: Array<{ index: number; value: number }> = [];

  constructor(windowMs: number, retentionMs: number) {
    this.#windowMs = windowMs;
    this.#sliceMs = Math.max(1000, Math.floor(windowMs / SLICES_PER_WINDOW));
    this.#retentionMs = retentionMs;
  }

  add(time: number, value: number): void {
    this.advance(time);
    const at = Math.max(time, this.#openIndex * this.#windowMs);
    this.#openValue += value;
    const slice = Math.floor(at / this.#sliceMs);
    const last = this.#slices[this.#slices.length - 1];
    if (last !== undefined && last.index >= slice) last.value += value;
    else this.#slices.push({ index: slice, value });
  }

  /** Closes the open window when `now` is past it and forgets what is older than the retention. */
  advance(now: number): void {
    const index = Math.floor(now / this.#windowMs);
    if (index > this.#openIndex) {
      if (this.#openValue > 0) {
        this.#closed.push({ index: this.#openIndex, value: this.#openValue });
        this.#sum += this.#openValue;
        this.#sumSquares += this.#openValue * this.#openValue;
      }
      this.#openIndex = index;
      this.#openValue = 0;
    }
    const oldest = Math.floor((now - this.#retentionMs) / this.#windowMs);
    while (this.#head < this.#closed.length && this.#closed[this.#head]!.index < oldest) {
      const gone = this.#closed[this.#head]!;
      this.#sum -= gone.value;
      this.#sumSquares -= gone.value * gone.value;
      this.#head += 1;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#closed.length) {
      this.#closed = this.#closed.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head === this.#closed.length) {
      // Nothing left: reset the sums so rounding errors do not accumulate.
      this.#sum = 0;
      this.#sumSquares = 0;
    }
    const firstSlice = Math.floor((now - this.#windowMs) / this.#sliceMs) + 1;
    let drop = 0;
    while (drop < this.#slices.length && this.#slices[drop]!.index < firstSlice) drop += 1;
    if (drop > 0) this.#slices.splice(0, drop);
  }

  /** Sum over the last window (slices overlapping (now - window, now]). */
  sliding(now: number): number {
    this.advance(now);
    let total = 0;
    for (const slice of this.#slices) total += slice.value;
    return total;
  }

  /** Stats over the closed active windows within the retention. */
  stats(now: number): WindowStats {
    this.advance(now);
    const windows = this.#closed.length - this.#head;
    if (windows === 0) return { windows: 0, mean: 0, stddev: 0 };
    const mean = this.#sum / windows;
    const variance = Math.max(0, this.#sumSquares / windows - mean * mean);
    return { windows, mean, stddev: Math.sqrt(variance) };
  }

  /** Sum over the closed windows within the retention (the open window left out). */
  closedTotal(now: number): number {
    this.advance(now);
    return this.#sum;
  }

  /** Sum over the retention, open window included. */
  total(now: number): number {
    this.advance(now);
    return this.#sum + this.#openValue;
  }
}

/** Calls per hour of the local day over the retention (half-hour buckets, for half-hour zones). */
export class HourProfile {
  readonly #retentionMs: number;
  readonly #hourOf: (time: number) => number;
  #buckets: Array<{ index: number; hour: number; count: number }> = [];
  #head = 0;
  readonly #byHour = new Array<number>(24).fill(0);
  #total = 0;

  constructor(retentionMs: number, hourOf: (time: number) => number) {
    this.#retentionMs = retentionMs;
    this.#hourOf = hourOf;
  }

  add(time: number): void {
    this.#evict(time);
    const index = Math.floor(time / HALF_HOUR_MS);
    const last = this.#buckets[this.#buckets.length - 1];
    if (last !== undefined && last.index >= index) {
      last.count += 1;
      this.#byHour[last.hour]! += 1;
    } else {
      const hour = this.#hourOf(index * HALF_HOUR_MS);
      this.#buckets.push({ index, hour, count: 1 });
      this.#byHour[hour]! += 1;
    }
    this.#total += 1;
  }

  /** Share of the calls in the retention made in the local hour of `time`, and the total. */
  share(time: number): { share: number; total: number; hour: number } {
    this.#evict(time);
    const hour = this.#hourOf(time);
    return { share: this.#total === 0 ? 0 : this.#byHour[hour]! / this.#total, total: this.#total, hour };
  }

  #evict(now: number): void {
    const oldest = Math.floor((now - this.#retentionMs) / HALF_HOUR_MS);
    while (this.#head < this.#buckets.length && this.#buckets[this.#head]!.index < oldest) {
      const gone = this.#buckets[this.#head]!;
      this.#byHour[gone.hour]! -= gone.count;
      this.#total -= gone.count;
      this.#head += 1;
    }
    if (this.#head > 256 && this.#head * 2 > this.#buckets.length) {
      this.#buckets = this.#buckets.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** A function giving the hour of the day (0–23) of a time in `timeZone`. */
export function hourInZone(timeZone: string): (time: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  return (time) => Number(format.format(time)) % 24;
}

export interface BaselineSettings {
  windowMs: number;
  retentionMs: number;
  hourOf: (time: number) => number;
}

/** Everything the monitor knows about one agent's usual behaviour. */
export class AgentBaseline {
  readonly calls: WindowSeries;
  readonly denials: WindowSeries;
  readonly bytes: WindowSeries;
  readonly hours: HourProfile;
  readonly #retentionMs: number;
  /** Tool → last time used. */
  readonly #tools = new Map<string, number>();
  /** Earliest call seen (within what was read). */
  #firstSeen: number | null = null;

  constructor(settings: BaselineSettings) {
    this.calls = new WindowSeries(settings.windowMs, settings.retentionMs);
    this.denials = new WindowSeries(settings.windowMs, settings.retentionMs);
    this.bytes = new WindowSeries(settings.windowMs, settings.retentionMs);
    this.hours = new HourProfile(settings.retentionMs, settings.hourOf);
    this.#retentionMs = settings.retentionMs;
  }

  /** Counts a call (an intent or a refusal) at `time`, to `tool` when it is a declared one. */
  noteCall(time: number, tool: string | null, denied: boolean): void {
    this.#firstSeen = this.#firstSeen === null ? time : Math.min(this.#firstSeen, time);
    this.calls.add(time, 1);
    this.hours.add(time);
    if (denied) this.denials.add(time, 1);
    else this.denials.advance(time);
    if (tool !== null) this.#tools.set(tool, Math.max(this.#tools.get(tool) ?? 0, time));
  }

  noteBytes(time: number, bytes: number): void {
    if (bytes > 0) this.bytes.add(time, bytes);
    else this.bytes.advance(time);
  }

  /** Whether the agent used `tool` within the retention before `now`. */
  hasUsed(tool: string, now: number): boolean {
    const last = this.#tools.get(tool);
    return last !== undefined && last >= now - this.#retentionMs;
  }

  /** Days of history held at `now` (at most the retention). */
  historyDays(now: number): number {
    if (this.#firstSeen === null) return 0;
    return Math.max(0, Math.min(now - this.#firstSeen, this.#retentionMs)) / 86_400_000;
  }
}
