/**
 * Escaping for HTML and XML text and attribute values. Names and evidence come from clusters and
 * snapshots, so every string a report writes into markup goes through here.
 */

/**
 * Characters XML 1.0 forbids outright (C0 controls but tab, LF and CR; lone surrogates; U+FFFE
 * and U+FFFF). They cannot be escaped, only replaced: U+FFFD keeps the place visible.
 *
 * @see https://www.w3.org/TR/xml/#charsets
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // XML parsers turn a raw CR (or CRLF) in text into LF: a reference keeps it.
  '\r': '&#13;',
};

/**
 * `text` safe in HTML or XML element content and in double- or single-quoted attribute values:
 * `& < > " '` escaped, CR kept as a reference, characters XML cannot carry replaced by U+FFFD.
 *
 * @example escapeMarkup('<script>"x"</script>') // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeMarkup(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\r]/g, (c) => ENTITIES[c]!);
}

/**
 * Like {@link escapeMarkup}, for attribute values that must keep their line breaks and tabs
 * (an XML parser normalises raw ones in attributes to spaces).
 */
export function escapeAttribute(text: string): string {
  return escapeMarkup(text).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
