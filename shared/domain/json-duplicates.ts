/**
 * Duplicate member names in a JSON object text. RFC 7515 §4 lets a JWS parser either reject duplicate header names or
 * keep the last one; parsers that disagree (first vs last) are how a token can mean one thing to one verifier and
 * another thing to the next. We reject, in the header and in the claims alike.
 *
 * How: `JSON.parse` keeps one property per distinct (decoded) name, so a text repeats a name exactly when it spells
 * more member names at its top level than the parsed object has keys. Counting needs no name decoding and no set:
 * `"\u0061lg"` and `"alg"` are the same key once parsed, so they count as a repeat without being compared here.
 */

/** JSON's insignificant whitespace (RFC 8259 §2): space, tab, line feed, carriage return. */
const isJsonSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * How many member names the top-level object of a JSON text spells, a repeated name counted each time. The text must
 * be valid JSON (the caller has parsed it); nested objects are not counted.
 *
 * Fast path, for texts like our claims (no escapes, no object inside the top one): every string is then a plain pair
 * of quotes, and every string followed by `:` is a top-level name (in valid JSON only names are followed by `:`, and
 * there is no nested object for a name to be in), so the names are counted by jumping from quote to quote. Any backslash
 * or second `{` anywhere, even inside a string, takes the full scan (`scannedMemberCount`).
 */
export function topLevelMemberCount(text: string): number {
  if (text.charCodeAt(0) !== 0x7b /* { */ || text.indexOf('{', 1) !== -1 || text.indexOf('\\') !== -1) {
    return scannedMemberCount(text);
  }
  let members = 0;
  let quote = text.indexOf('"', 1);
  while (quote !== -1) {
    // With no backslash, the next quote closes the string.
    let k = text.indexOf('"', quote + 1) + 1;
    let c = text.charCodeAt(k);
    while (isJsonSpace(c)) c = text.charCodeAt(++k);
    if (c === 0x3a /* : */) members++;
    quote = text.indexOf('"', k);
  }
  return members;
}

/**
 * `topLevelMemberCount` for any valid JSON text: escapes, nested objects and arrays, whitespace anywhere, tracked
 * character by character between the quotes.
 */
export function scannedMemberCount(text: string): number {
  let depth = 0;
  let members = 0;
  let i = 0;
  for (;;) {
    // Outside strings only structure, numbers and literals: short runs between the quotes that indexOf jumps to.
    const quote = text.indexOf('"', i);
    const stop = quote === -1 ? text.length : quote;
    for (let k = i; k < stop; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
      else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    }
    if (quote === -1) return members;
    // The closing quote is the next one not escaped, that is not preceded by an odd run of backslashes.
    let end = quote;
    for (;;) {
      end = text.indexOf('"', end + 1);
      let b = end - 1;
      while (text.charCodeAt(b) === 0x5c /* \ */) b--;
      if ((end - 1 - b) % 2 === 0) break;
    }
    if (depth === 1) {
      // A string at the top level is a member name when a colon follows it (a value is followed by `,` or `}`).
      let k = end + 1;
      while (isJsonSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) === 0x3a /* : */) members++;
    }
    i = end + 1;
  }
}

/**
 * True when a JSON object text repeats a member name at its top level. The text must be valid JSON; `parsed` is its
 * `JSON.parse` result when the caller already has it (parsed again otherwise). Anything but an object repeats nothing.
 */
export function hasDuplicateTopLevelKeys(text: string, parsed: unknown = JSON.parse(text)): boolean {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  return topLevelMemberCount(text) !== Object.keys(parsed).length;
}
