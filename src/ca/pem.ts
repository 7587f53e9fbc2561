/** PEM blocks in and out, written the way Go's encoding/pem writes them. */
import { Buffer } from 'node:buffer';

export interface PemBlock {
  type: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([^\r\n-]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every block in `text`, in order; text around them is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ type: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') }));
}

export function toPem(type: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
