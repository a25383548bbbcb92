// Text whose value the user decides at run time (command line, environment, shell output)
// is carried through expansion as a marker the caller can detect and never mistake for a flag.

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER_PATTERN = /\uE000([^\uE001]*)\uE001/g;

/** A placeholder for an unknown value; `label` names where it came from (e.g. the variable). */
export function unknownToken(label: string): string {
  return `${OPEN}${label.replace(/[\uE000\uE001]/g, '')}${CLOSE}`;
}

export function containsUnknown(text: string): boolean {
  return text.includes(OPEN);
}

/** The text with every unknown placeholder removed. */
export function withoutUnknown(text: string): string {
  return text.replace(MARKER_PATTERN, '');
}

/** The text with each placeholder shown as `<?LABEL>`, for messages and debugging. */
export function describeUnknown(text: string): string {
  return text.replace(MARKER_PATTERN, (_whole, label: string) => `<?${label}>`);
}
