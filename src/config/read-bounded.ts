/**
 * Reads a small text file with a hard size limit: never blocks on a FIFO or device, never reads more
 * than `limit + 1` bytes, and refuses anything that is not a regular UTF-8 file.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export type BoundedRead =
  | { ok: true; text: string }
  | { ok: false; reason: 'missing' | 'not-a-file' | 'unreadable' | 'not-utf8'; detail: string }
  | { ok: false; reason: 'too-large'; detail: string; size: number };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads `file` as UTF-8 text if it is a regular file of at most `limit` bytes; a BOM is dropped. */
export async function readBoundedText(file: string, limit: number): Promise<BoundedRead> {
  let handle;
  try {
    // O_NONBLOCK so that a FIFO at this path cannot hang the loader; it is refused below.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { ok: false, reason: 'missing', detail: 'does not exist' };
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', detail: 'is a directory, not a file' };
    return { ok: false, reason: 'unreadable', detail: `cannot be opened (${code ?? 'unknown error'})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, reason: 'not-a-file', detail: 'is not a regular file' };
    if (stats.size > limit) {
      return { ok: false, reason: 'too-large', detail: `is ${stats.size} bytes`, size: stats.size };
    }
    // Read at most limit + 1 bytes, so a file that grows after stat is still caught.
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit)
      return { ok: false, reason: 'too-large', detail: `is over ${limit} bytes`, size: length };
    try {
      return { ok: true, text: decoder.decode(buffer.subarray(0, length)) };
    } catch {
      return { ok: false, reason: 'not-utf8', detail: 'is not UTF-8 text' };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', detail: 'is a directory, not a file' };
    return { ok: false, reason: 'unreadable', detail: `cannot be read (${code ?? 'unknown error'})` };
  } finally {
    await handle.close();
  }
}
