/** A writer for hand-encoded protobuf messages: sizes are computed first, then everything goes into one exact-size buffer. */
import { Buffer } from 'node:buffer';
import { WireType } from '@bufbuild/protobuf/wire';

/** The key of a length-delimited field. */
export function tagOf(fieldNo: number): number {
  return (fieldNo << 3) | WireType.LengthDelimited;
}

export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value >>>= 7;
    size++;
  }
  return size;
}

/** Bytes a length-delimited field of `length` bytes takes, key included. */
export function fieldSize(tag: number, length: number): number {
  return varintSize(tag) + varintSize(length) + length;
}

/** Proto3 leaves an empty string out unless it is a oneof member. */
export function stringFieldSize(tag: number, length: number, always = false): number {
  return length === 0 && !always ? 0 : fieldSize(tag, length);
}

export class Out {
  // An exact-size array of its own (not a slice of Node's shared pool), written through a Buffer view for fast UTF-8.
  private readonly bytesOut: Uint8Array;
  private readonly buf: Buffer;
  private at = 0;

  constructor(size: number) {
    this.bytesOut = new Uint8Array(size);
    this.buf = Buffer.from(this.bytesOut.buffer, this.bytesOut.byteOffset, size);
  }

  private varint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.at++] = value;
  }

  /** Key and length of a length-delimited field; its content follows. */
  header(tag: number, length: number): void {
    this.varint(tag);
    this.varint(length);
  }

  string(tag: number, value: string, length: number, always = false): void {
    if (length === 0 && !always) return;
    this.header(tag, length);
    this.at += this.buf.write(value, this.at, 'utf8');
  }

  bytes(tag: number, value: Uint8Array): void {
    this.header(tag, value.length);
    this.raw(value);
  }

  raw(value: Uint8Array): void {
    this.buf.set(value, this.at);
    this.at += value.length;
  }

  done(): Uint8Array {
    if (this.at !== this.bytesOut.length) throw new Error(`encoded ${this.at} of ${this.bytesOut.length} bytes`);
    return this.bytesOut;
  }
}
