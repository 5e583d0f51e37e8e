/**
 * The fixed train/test split of the injection development data. A row is held back for testing when
 * `fnv1a32(id) % 5 === 0`; the training script never trains on those rows and the benchmark measures
 * on exactly them, so reported figures are never taken on data the model has seen.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, as an unsigned integer.
 *
 * @example fnv1a32('a') === 0xe40c292c
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** Number of folds the development rows are cut into (by id hash); fold 0 is the held-back split. */
export const SPLIT_FOLDS = 5;

/** The fold (0 to SPLIT_FOLDS - 1) of the development row with this id; cross-validation evaluates each in turn. */
export function splitFold(id: string): number {
  return fnv1a32(id) % SPLIT_FOLDS;
}

/** Whether the development row with this id belongs to the held-back test split (one row in five). */
export function isHeldBack(id: string): boolean {
  return splitFold(id) === 0;
}
