/**
 * Forgetting a scanned text once its scan ends. The detectors and the injection scorer memoize what
 * they found for the last text they read (label lookups, digit runs, NFC views, profiles), so the
 * next detector on the same string does not redo it, and copy its code units into reusable
 * buffers. Left alone, those would keep the last text of every scan, with whatever personal data
 * or secrets it holds, in memory until the next scan: in a heap dump, for instance. The scanner
 * calls forgetScannedText when a scan ends, however it ends.
 */
import { forgetAddressKeywords } from './detectors/address-keywords.js';
import { forgetContextText } from './detectors/context.js';
import { forgetDigitRuns } from './detectors/digit-runs.js';
import { forgetNameWords } from './detectors/pii.js';
import { forgetSecretNeedles } from './detectors/secrets.js';
import { forgetTextProfile } from './detectors/text-profile.js';
import { forgetDecomposedText } from './detectors/vietnam.js';
import { wipeUnitBuffers } from './injection/fold.js';

const EMPTY = /(?:)/;

/** Drops every memoized reference to the texts of the last scan and zeroes the buffers holding their units. */
export function forgetScannedText(): void {
  forgetContextText();
  forgetDigitRuns();
  forgetSecretNeedles();
  forgetTextProfile();
  forgetDecomposedText();
  forgetAddressKeywords();
  forgetNameWords();
  wipeUnitBuffers();
  // RegExp's legacy statics (RegExp.input, RegExp.lastMatch) keep the subject of the last match
  // (until the next regular expression anywhere runs on something else).
  EMPTY.exec('');
}
