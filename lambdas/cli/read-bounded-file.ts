/**
 * Reading an input file that must not be read whole when it is too large (network-snapshot.md:
 * "a snapshot larger than a documented limit is refused with exit 2 before it is read whole").
 */
import { open } from 'node:fs/promises';

/** The file is larger than the limit; `knownSize` when fstat told, else it was found while reading. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
  constructor(
    readonly file: string,
    readonly limitBytes: number,
    readonly knownSize?: number,
  ) {
    super(`${file} is larger than ${limitBytes} bytes`);
  }
}

/** Read size per call: large enough that a 256 MB file takes a few thousand reads. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * The bytes of `file`, at most `limitBytes` of them. A regular file's size is checked with fstat
 * before anything is read; anything else (a FIFO, /dev/zero, a file that grows) is read in
 * chunks and given up as soon as it passes the limit.
 *
 * @throws FileTooLargeError past the limit; the `fs` errors of open and read (ENOENT, EISDIR…)
 */
export async function readBoundedFile(file: string, limitBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isFile() && stat.size > limitBytes) throw new FileTooLargeError(file, limitBytes, stat.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte beyond the limit is enough to know it was passed.
      const want = Math.min(CHUNK_BYTES, limitBytes + 1 - total);
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limitBytes) throw new FileTooLargeError(file, limitBytes);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
