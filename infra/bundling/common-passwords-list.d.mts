/** Types of common-passwords-list.mjs (plain JavaScript: it runs with `node`, before any TypeScript loader). */
export declare const COMMON_PASSWORDS_FILE: URL;
/** The file's text for a word list: lower case, deduplicated, sorted, one word a line. */
export declare function commonPasswordsText(words: readonly string[]): string;
