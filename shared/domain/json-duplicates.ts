/**
 * True when a JSON object text repeats a member name at its top level. RFC 7515 §4 lets a JWS parser either reject
 * duplicate header names or keep the last one; parsers that disagree (first vs last) are how a token can mean one
 * thing to one verifier and another thing to the next. We reject, in the header and in the claims alike.
 * The text must already be valid JSON (the caller parses it too); nested objects are not inspected.
 */
export function hasDuplicateTopLevelKeys(text: string): boolean {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k])) k++;
        if (text[k] === ':') {
          const name = JSON.parse(text.slice(i, j + 1)) as string;
          if (seen.has(name)) return true;
          seen.add(name);
        }
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
