/** encoding/json decoding errors: syntax errors by offending byte, and type mismatches by JSON kind. */
import { Buffer } from 'node:buffer';
import { goQuote } from './quote.js';

/** The JSON kind Go names in an UnmarshalTypeError. */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

/** The UnmarshalTypeError text for a value of the wrong JSON kind. */
export function unmarshalTypeError(value: unknown, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`;
}

/** Go's json scanner quoting of an offending byte. */
function goQuoteByte(text: string, i: number): string {
  const byte = Buffer.from(text.slice(i, i + 2), 'utf8')[0];
  if (byte === 0x27) return `'\\''`;
  if (byte === 0x22) return `'"'`;
  return `'${goQuote(String.fromCharCode(byte)).slice(1, -1)}'`;
}

/** Syntax check of one JSON text with encoding/json's messages; returns the top-level kind and its text. */
export function scanJson(src: string): { kind: string; literal: string } | { error: string } {
  let i = 0;
  const fail = (context: string): never => {
    throw new GoJsonSyntaxError(i >= src.length ? 'unexpected end of JSON input' : `invalid character ${goQuoteByte(src, i)} ${context}`);
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const skipSpace = () => {
    while (i < src.length && ' \t\n\r'.includes(src[i])) i++;
  };
  const digits = () => {
    while (isDigit(src[i])) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (src[i] !== word[k]) fail(`in literal ${word} (expecting ${goQuoteByte(word, k)})`);
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const c = src[i];
      if (c === undefined) fail('');
      if (c === '"') return void i++;
      if (c === '\\') {
        i++;
        if (src[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/^[0-9a-fA-F]$/.test(src[i] ?? '')) fail('in \\u hexadecimal character escape');
        } else if (src[i] !== undefined && '"\\/bfnrt'.includes(src[i])) i++;
        else fail('in string escape code');
      } else if (c < ' ') fail('in string literal');
      else i++;
    }
  };
  const number = () => {
    if (src[i] === '-') {
      i++;
      if (!isDigit(src[i])) fail('in numeric literal');
    }
    if (src[i] === '0') i++;
    else digits();
    if (src[i] === '.') {
      i++;
      if (!isDigit(src[i])) fail('after decimal point in numeric literal');
      digits();
    }
    if (src[i] === 'e' || src[i] === 'E') {
      i++;
      if (src[i] === '+' || src[i] === '-') i++;
      if (!isDigit(src[i])) fail('in exponent of numeric literal');
      digits();
    }
  };
  const value = (): string => {
    skipSpace();
    const c = src[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (src[i] === '}') return (i++, 'object');
      for (;;) {
        skipSpace();
        if (src[i] !== '"') fail('looking for beginning of object key string');
        string();
        skipSpace();
        if (src[i] !== ':') fail('after object key');
        i++;
        value();
        skipSpace();
        if (src[i] === '}') return (i++, 'object');
        if (src[i] !== ',') fail('after object key:value pair');
        i++;
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (src[i] === ']') return (i++, 'array');
      for (;;) {
        value();
        skipSpace();
        if (src[i] === ']') return (i++, 'array');
        if (src[i] !== ',') fail('after array element');
        i++;
      }
    }
    if (c === '"') return (string(), 'string');
    if (c === '-' || isDigit(c)) return (number(), 'number');
    if (c === 't') return (literal('true'), 'bool');
    if (c === 'f') return (literal('false'), 'bool');
    if (c === 'n') return (literal('null'), 'null');
    return fail('looking for beginning of value');
  };
  try {
    const start = (skipSpace(), i);
    const kind = value();
    const literalText = src.slice(start, i);
    skipSpace();
    if (i < src.length) fail('after top-level value');
    return { kind, literal: literalText };
  } catch (e) {
    if (e instanceof GoJsonSyntaxError) return { error: e.message };
    throw e;
  }
}

class GoJsonSyntaxError extends Error {}

