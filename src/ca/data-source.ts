/** Kuma's DataSource (`secret` | `file` | `inline` | `inlineString`), loaded as Kuma's loader does, with its error texts. */
import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { ResourceStore } from '../store/store.js';

export interface DataSource {
  secret?: string;
  file?: string;
  /** base64, as BytesValue is in JSON */
  inline?: string;
  inlineString?: string;
}

// a oneof in JSON: when several members are given, the last in declaration order is the one set
const MEMBERS = ['inlineString', 'inline', 'file', 'secret'] as const;

export async function loadDataSource(store: ResourceStore, mesh: string, source: DataSource | undefined): Promise<Buffer> {
  const member = MEMBERS.find((m) => source?.[m] !== undefined && source?.[m] !== null);
  if (!source || !member) throw new Error('unsupported type of the DataSource');
  try {
    switch (member) {
      case 'secret':
        return await loadSecret(store, mesh, source.secret!);
      case 'file':
        return await readFileLikeGo(source.file!);
      case 'inline':
        return Buffer.from(source.inline!, 'base64');
      case 'inlineString':
        return Buffer.from(source.inlineString!, 'utf8');
    }
  } catch (e) {
    throw new Error(`could not load data: ${(e as Error).message}`);
  }
}

async function loadSecret(store: ResourceStore, mesh: string, name: string): Promise<Buffer> {
  const secret = await store.get('Secret', { mesh, name });
  if (!secret) throw new Error(`resource not found: type="Secret" name=${JSON.stringify(name)} mesh=${JSON.stringify(mesh)}`);
  return Buffer.from(String(secret.spec.data ?? ''), 'base64');
}

// Go's os.ReadFile message: "open <path>: <strerror>"
async function readFileLikeGo(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EISDIR') throw new Error(`read ${path}: is a directory`);
    const reason = /^[A-Z]+: ([^,]+),/.exec(err.message)?.[1] ?? err.message;
    throw new Error(`open ${path}: ${reason}`);
  }
}
