/** Time as a dependency: services take a Clock so tests can freeze and advance it. */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests of expiry and timeouts. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number | Date | string = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : new Date(start).getTime();
  }
  now(): number {
    return this.#now;
  }
  /** Moves the clock forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }
  set(time: number | Date | string): void {
    this.#now = typeof time === 'number' ? time : new Date(time).getTime();
  }
}

/** ISO-8601 UTC timestamp with milliseconds, the one time format Warden stores. */
export function isoTime(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
