/**
 * Text for a terminal, made harmless: a resource name from a snapshot or an AWS error message can
 * hold escape sequences (`ESC ] 0 ; title BEL` retitles the window, `ESC [ 2 J` clears it, OSC 52
 * writes the clipboard). Every text the CLI prints passes through here, JSON included.
 */

/**
 * C0 controls except tab and newline, DEL, and C1 controls (U+0080–U+009F: a terminal reads U+009B
 * as CSI like `ESC [`). Tab and newline are layout; carriage return is not kept: it lets a name
 * overwrite the line it is printed on.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `\xHH` for a control character, so the reader sees it was there and what it was. */
function visibleEscape(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * `text` with every control character other than tab and newline written as a visible `\xHH`
 * escape: an escape sequence loses its ESC (or C1 introducer) and prints as plain characters.
 *
 * @example escapeControlCharacters('sg-1\u001b]0;pwned\u0007') // 'sg-1\\x1b]0;pwned\\x07'
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTER, visibleEscape);
}

/** As {@link CONTROL_CHARACTER}, but carriage return is kept: documents (CSV) end their lines with CRLF. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DOCUMENT_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * A rendered document (CSV, XML, HTML) for a terminal: every control character other than tab,
 * newline and carriage return written as a visible `\xHH` escape, so CRLF line ends stay intact.
 */
export function escapeDocumentControlCharacters(text: string): string {
  return text.replace(DOCUMENT_CONTROL_CHARACTER, visibleEscape);
}

/** One line of terminal text: white space (newlines included) folded to single spaces, controls escaped. */
export function terminalLine(text: string): string {
  return escapeControlCharacters(text.replace(/[\t\n\v\f\r]+/g, ' ').trim());
}

/** DEL and C1: JSON.stringify escapes only U+0000–U+001F and leaves these raw in strings. */
const JSON_UNESCAPED_CONTROL = /[\u007f-\u009f]/g;

/**
 * `value` as pretty-printed JSON with no raw control character: JSON.stringify's output with DEL
 * and C1 (which it leaves raw) written as `\u00XX` too. The same JSON value; only its spelling differs.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    JSON_UNESCAPED_CONTROL,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
