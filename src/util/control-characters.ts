// Text from the project (file and directory names, Makefile variables, file content) printed
// on a terminal must not act on it: an ESC or CSI sequence could erase or rewrite lines.

// C0 controls but the tab, DEL, and the C1 controls (U+0080-U+009F; U+009B is a CSI alone).
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

/**
 * `text` with every control character but the tab shown as an escape: `\x1b`, `\x7f`, `\n`,
 * `\u009b`. Printable text, tabs and non-ASCII letters are left alone.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (character) => {
    const named = NAMED[character];
    if (named !== undefined) return named;
    const code = character.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
