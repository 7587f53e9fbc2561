/** How Go's encoding/json writes strings and float64 numbers (what the decoder's messages quote back). */

/** encoding/json's float64 text, which JavaScript's shortest form matches apart from -0. */
export function jsonNumberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** encoding/json's string encoding (HTML-safe escapes included). */
export function jsonStringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}
