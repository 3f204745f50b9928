/** The embedded store's object store: files under one directory, referenced as `file://` URLs. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BlobStore } from '../evidence-offload.js';

export class DirectoryBlobStore implements BlobStore {
  readonly #root: string;
  constructor(root: string) {
    this.#root = resolve(root);
  }

  async put(key: string, body: Uint8Array): Promise<string> {
    const file = this.#fileOf(key);
    await mkdir(dirname(file), { recursive: true });
    // write then rename: a reader never sees half an object
    const partial = `${file}.partial`;
    await writeFile(partial, body);
    await rename(partial, file);
    return pathToFileURL(file).href;
  }

  async get(ref: string): Promise<Uint8Array | null> {
    if (!ref.startsWith('file:')) return null;
    const file = fileURLToPath(ref);
    if (!file.startsWith(this.#root + sep)) return null;
    try {
      return await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  #fileOf(key: string): string {
    const file = resolve(join(this.#root, key));
    if (!file.startsWith(this.#root + sep))
      throw new Error(`blob key ${JSON.stringify(key)} leaves the store`);
    return file;
  }
}
