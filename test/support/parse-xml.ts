/**
 * A small, strict XML parser for tests that read back the XML a renderer wrote (JUnit). It knows
 * elements, attributes, text, the five predefined entities, numeric character references, the
 * XML declaration and comments — and throws on anything else: a raw `<` or `&` in text or an
 * attribute, an unknown entity, a mismatched or unclosed tag, a duplicate attribute, a character
 * XML 1.0 forbids. Enough to prove escaping, not a general XML parser (no DTD, no CDATA, no
 * namespaces beyond names with colons).
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** the element's own text (its text nodes concatenated, children's text excluded) */
  text: string;
}

const NAME = '[A-Za-z_:][A-Za-z0-9_:.-]*';
/** Line ends in text are normalised as XML does (CRLF and CR become LF); references are not. */
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Text with its references resolved; throws on a raw `<`, a stray `&` or an unknown entity. */
function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw '<' in ${where}: ${JSON.stringify(raw)}`);
  if (FORBIDDEN_CHAR.test(raw)) throw new Error(`character not allowed in XML in ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated reference in ${where}: ${JSON.stringify(whole)}`);
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (num) return String.fromCodePoint(num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]));
    throw new Error(`unknown entity &${ref}; in ${where}`);
  });
}

/** Attribute values are normalised as XML does: raw tab, CR and LF become spaces. */
function parseAttributes(source: string, tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const rest = source.replace(
    new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"]*"|'[^']*')`, 'g'),
    (_m, name: string, quoted: string) => {
      if (name in attributes) throw new Error(`duplicate attribute ${name} on <${tag}>`);
      attributes[name] = decode(
        quoted.slice(1, -1).replace(/[\t\r\n]/g, ' '),
        `attribute ${name} of <${tag}>`,
      );
      return '';
    },
  );
  if (rest.trim() !== '') throw new Error(`malformed attributes on <${tag}>: ${JSON.stringify(rest)}`);
  return attributes;
}

/**
 * The root element of `xml`.
 *
 * @throws Error naming the first thing that is not well-formed
 */
export function parseXml(xml: string): XmlElement {
  const token = new RegExp(
    `<\\?xml[^?]*\\?>|<!--[\\s\\S]*?-->|<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>|</(${NAME})\\s*>|([^<]+)|(<)`,
    'g',
  );
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (const m of xml.matchAll(token)) {
    const [whole, open, attrs, selfClose, close, text, stray] = m;
    if (stray !== undefined)
      throw new Error(
        `malformed markup at offset ${m.index}: ${JSON.stringify(xml.slice(m.index, m.index + 40))}`,
      );
    if (whole.startsWith('<?') || whole.startsWith('<!--')) continue;
    if (text !== undefined) {
      const top = stack.at(-1);
      if (top === undefined) {
        if (text.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(text)}`);
        continue;
      }
      top.text += decode(text.replace(/\r\n?/g, '\n'), `<${top.name}>`);
      continue;
    }
    if (open !== undefined) {
      const element: XmlElement = {
        name: open,
        attributes: parseAttributes(attrs ?? '', open),
        children: [],
        text: '',
      };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new Error(`a second root element <${open}>`);
      else root = element;
      if (selfClose !== '/') stack.push(element);
      continue;
    }
    const top = stack.pop();
    if (top?.name !== close) throw new Error(`</${close}> closes <${top?.name ?? 'nothing'}>`);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** The children of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}
