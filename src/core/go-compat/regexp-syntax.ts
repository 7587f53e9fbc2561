/** Go's regexp.Compile syntax errors (RE2 as Go parses it, Perl flags on), with Go's error texts. */

class Re2SyntaxError extends Error {
  constructor(code: string, fragment: string) {
    super(`error parsing regexp: ${code}: \`${fragment}\``);
  }
}

const POSIX_CLASSES = new Set(
  ['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit'].flatMap(
    (n) => [`[:${n}:]`, `[:^${n}:]`],
  ),
);

// Go's unicode category names and aliases, in regexp/syntax's canonical spelling
const UNICODE_CATEGORIES = new Set(
  (
    'Any Assigned Ascii Lc C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs ' +
    'Casedletter Closepunctuation Combiningmark Connectorpunctuation Control Currencysymbol Dashpunctuation Decimalnumber ' +
    'Enclosingmark Finalpunctuation Format Initialpunctuation Letter Letternumber Lineseparator Lowercaseletter Mark Mathsymbol ' +
    'Modifierletter Modifiersymbol Nonspacingmark Number Openpunctuation Other Otherletter Othernumber Otherpunctuation ' +
    'Othersymbol Paragraphseparator Privateuse Punctuation Separator Spaceseparator Spacingmark Surrogate Symbol Titlecaseletter ' +
    'Unassigned Uppercaseletter Cntrl Digit Punct'
  ).split(' '),
);

function canonicalUnicodeName(name: string): string {
  let out = '';
  for (const c of name) {
    if (c === '_' || c === '-' || c === ' ') continue;
    out += out === '' ? c.toUpperCase() : c.toLowerCase();
  }
  return out;
}

function isUnicodeClassName(name: string): boolean {
  const canonical = canonicalUnicodeName(name);
  if (UNICODE_CATEGORIES.has(canonical)) return true;
  if (!/^[A-Za-z]+$/.test(canonical)) return false;
  try {
    new RegExp(`\\p{Script=${canonical}}`, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Go's regexp.Compile error text for `expr`, or undefined when it compiles. */
export function goRegexpError(expr: string): string | undefined {
  try {
    checkRe2Syntax(expr);
    return undefined;
  } catch (e) {
    if (e instanceof Re2SyntaxError) return e.message;
    throw e;
  }
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

function checkRe2Syntax(whole: string): void {
  const fail = (code: string, fragment: string): never => {
    throw new Re2SyntaxError(code, fragment);
  };
  const runeLength = (at: number) => (whole.codePointAt(at)! > 0xffff ? 2 : 1);
  const hexValue = (c: string | undefined) => (isHex(c) ? parseInt(c!, 16) : -1);
  const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';

  /** A single-character escape at `at`; returns [next index, rune]. */
  const escape = (at: number): [number, number] => {
    if (at + 1 >= whole.length) fail('trailing backslash at end of expression', '');
    const c = whole[at + 1];
    const cp = whole.codePointAt(at + 1)!;
    let k = at + 1 + runeLength(at + 1);
    const invalid = (): never => fail('invalid escape sequence', whole.slice(at, k));
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return [k, cp];
    if (c >= '1' && c <= '7' && !isOctal(whole[k])) invalid();
    if (c >= '0' && c <= '7') {
      let r = cp - 0x30;
      for (let n = 1; n < 3 && isOctal(whole[k]); n++, k++) r = r * 8 + (whole.charCodeAt(k) - 0x30);
      return [k, r];
    }
    if (c === 'x') {
      if (k >= whole.length) invalid();
      const first = whole[k];
      k += runeLength(k);
      if (first === '{') {
        let digits = 0;
        let r = 0;
        for (;;) {
          if (k >= whole.length) invalid();
          const d = whole[k];
          k += runeLength(k);
          if (d === '}') break;
          if (hexValue(d) < 0) invalid();
          r = r * 16 + hexValue(d);
          if (r > 0x10ffff) invalid();
          digits++;
        }
        if (digits === 0) invalid();
        return [k, r];
      }
      const second = whole[k];
      if (k < whole.length) k += runeLength(k);
      if (hexValue(first) < 0 || hexValue(second) < 0) invalid();
      return [k, hexValue(first) * 16 + hexValue(second)];
    }
    const cEscapes: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (c in cEscapes) return [k, cEscapes[c]];
    return invalid();
  };

  /** `\p{Name}` / `\pN` at `at`; returns the next index. */
  const unicodeClass = (at: number): number => {
    const s = whole.slice(at);
    let seq: string;
    let name: string;
    if (s[2] !== '{') {
      seq = s.slice(0, s.length > 2 ? 2 + runeLength(at + 2) : 2);
      name = seq.slice(2);
    } else {
      const end = s.indexOf('}');
      if (end < 0) fail('invalid character class range', s);
      seq = s.slice(0, end + 1);
      name = s.slice(3, end);
    }
    if (name.startsWith('^')) name = name.slice(1);
    if (!isUnicodeClassName(name)) fail('invalid character class range', seq);
    return at + seq.length;
  };

  /** A bracketed class starting at `at`; returns the index after `]`. */
  const charClass = (at: number): number => {
    const wholeClass = whole.slice(at);
    let k = at + 1;
    if (whole[k] === '^') k++;
    const classChar = (from: number): [number, number] => {
      if (from >= whole.length) fail('missing closing ]', wholeClass);
      if (whole[from] === '\\') return escape(from);
      return [from + runeLength(from), whole.codePointAt(from)!];
    };
    for (let first = true; k >= whole.length || whole[k] !== ']' || first; first = false) {
      if (whole.length - k > 2 && whole[k] === '[' && whole[k + 1] === ':') {
        const end = whole.indexOf(':]', k + 2);
        if (end >= 0) {
          const name = whole.slice(k, end + 2);
          if (!POSIX_CLASSES.has(name)) fail('invalid character class range', name);
          k = end + 2;
          continue;
        }
      }
      if (whole[k] === '\\' && (whole[k + 1] === 'p' || whole[k + 1] === 'P')) {
        k = unicodeClass(k);
        continue;
      }
      if (whole[k] === '\\' && whole[k + 1] !== undefined && 'dDsSwW'.includes(whole[k + 1])) {
        k += 2;
        continue;
      }
      const rangeStart = k;
      const [afterLo, lo] = classChar(k);
      k = afterLo;
      if (whole.length - k >= 2 && whole[k] === '-' && whole[k + 1] !== ']') {
        const [afterHi, hi] = classChar(k + 1);
        k = afterHi;
        if (hi < lo) fail('invalid character class range', whole.slice(rangeStart, k));
      }
    }
    return k + 1;
  };

  /** `(?…` at `at`: flags, non-capturing or named group; returns [next index, opens a group]. */
  const perlGroup = (at: number): [number, boolean] => {
    const s = whole.slice(at);
    const startsWithP = s.length > 4 && s[2] === 'P' && s[3] === '<';
    const startsWithName = s.length > 3 && s[2] === '<';
    if (startsWithP || startsWithName) {
      const end = s.indexOf('>');
      if (end < 0) fail('invalid named capture', s);
      if (!/^[A-Za-z0-9_]+$/.test(s.slice(startsWithName ? 3 : 4, end))) fail('invalid named capture', s.slice(0, end + 1));
      return [at + end + 1, true];
    }
    let k = 2;
    let negated = false;
    let sawFlag = false;
    while (k < s.length) {
      const c = s[k];
      k += runeLength(at + k);
      if ('imsU'.includes(c)) sawFlag = true;
      else if (c === '-' && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && (!negated || sawFlag)) return [at + k, c === ':'];
      else break;
    }
    return fail('invalid or unsupported Perl syntax', s.slice(0, k));
  };

  let i = 0;
  let depth = 0;
  let hasOperand = false; // something a repetition operator could apply to
  let previousRepeat = -1; // start of the repetition operator just parsed, if any

  const repetition = (start: number, end: number, lastRepeat: number): number => {
    if (whole[end] === '?') end++;
    if (lastRepeat >= 0) fail('invalid nested repetition operator', whole.slice(lastRepeat, end));
    if (!hasOperand) fail('missing argument to repetition operator', whole.slice(start, end));
    return end;
  };

  while (i < whole.length) {
    const lastRepeat = previousRepeat;
    previousRepeat = -1;
    const c = whole[i];
    if (c === '(') {
      let opens = true;
      if (whole[i + 1] === '?') [i, opens] = perlGroup(i);
      else i++;
      if (opens) {
        depth++;
        hasOperand = false;
      }
    } else if (c === '|') {
      hasOperand = false;
      i++;
    } else if (c === ')') {
      if (depth === 0) fail('unexpected )', whole);
      depth--;
      hasOperand = true;
      i++;
    } else if (c === '[') {
      i = charClass(i);
      hasOperand = true;
    } else if (c === '*' || c === '+' || c === '?') {
      const end = repetition(i, i + 1, lastRepeat);
      previousRepeat = i;
      i = end;
    } else if (c === '{') {
      const m = /^\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}/.exec(whole.slice(i));
      if (!m) {
        hasOperand = true; // a literal brace
        i++;
        continue;
      }
      const min = m[1].length > 9 ? -1 : Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === undefined ? -1 : m[3].length > 9 ? -2 : Number(m[3]);
      if (min < 0 || max === -2 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
        fail('invalid repeat count', m[0]);
      }
      const end = repetition(i, i + m[0].length, lastRepeat);
      previousRepeat = i;
      i = end;
    } else if (c === '\\') {
      const next = whole[i + 1];
      if (next !== undefined && 'AbBz'.includes(next)) {
        i += 2;
      } else if (next === 'C') {
        fail('invalid escape sequence', '\\C');
      } else if (next === 'Q') {
        const end = whole.indexOf('\\E', i + 2);
        const literalText = end < 0 ? whole.slice(i + 2) : whole.slice(i + 2, end);
        i = end < 0 ? whole.length : end + 2;
        if (literalText === '') continue;
      } else if (next === 'p' || next === 'P') {
        i = unicodeClass(i);
      } else if (next !== undefined && 'dDsSwW'.includes(next)) {
        i += 2;
      } else {
        i = escape(i)[0];
      }
      hasOperand = true;
    } else {
      hasOperand = true; // literal, `.`, `^`, `$`
      i += runeLength(i);
    }
  }
  if (depth > 0) fail('missing closing )', whole);
}
