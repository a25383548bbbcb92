// Characters XML 1.0 cannot carry even as references, lone surrogates included.
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceUnrepresentable(text: string): string {
  return text.replace(NOT_XML_CHARACTER, '\uFFFD');
}

/** Element content; `\r` as a reference because parsers turn a literal one into `\n`. */
export function escapeXmlText(text: string): string {
  return replaceUnrepresentable(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/** A double-quoted attribute value; whitespace as references so it survives normalisation. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\t', '&#9;');
}
