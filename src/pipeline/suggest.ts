/** "Did you mean" for unknown tool names: the closest known names by edit distance. */

/** At most this many characters of a name are compared (longer names are not worth a suggestion). */
const MAX_COMPARED = 130;

/**
 * The candidates closest to `name` (case-insensitive edit distance at most a third of its length,
 * and at least 1 apart from nothing), best first, at most `limit`.
 */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const wanted = name.toLowerCase().slice(0, MAX_COMPARED);
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    // A name that contains the other (crm__read vs crm__read_customer) is close too.
    const contained = wanted.length >= 4 && (lower.includes(wanted) || wanted.includes(lower));
    const distance = contained ? 1 : editDistance(wanted, lower.slice(0, MAX_COMPARED), threshold);
    if (distance <= threshold) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}

/** Levenshtein distance, giving up (returning `bound + 1`) once it must exceed `bound`. */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > bound) return bound + 1;
    previous = current;
  }
  return previous[b.length]!;
}
