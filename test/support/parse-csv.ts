/**
 * A strict RFC 4180 parser for tests that read back the CSV a renderer wrote: records end with
 * CRLF, a field holding a comma, quote, CR or LF is quoted, quotes inside are doubled. Throws on
 * a quote inside an unquoted field, text after a closing quote, a bare LF or an unterminated
 * quoted field.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4180#section-2
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`CSV offset ${i}: ${why}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('quote inside an unquoted field');
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    if (i < text.length) fail(`expected a comma or CRLF, found ${JSON.stringify(text[i])}`);
  }
  if (record.length > 0) fail('the last record does not end with CRLF');
  return records;
}
