// Text whose value the user decides at run time (command line, environment, shell output)
// is carried through expansion as a marker the caller can detect and never mistake for a flag.

export const UNKNOWN_OPEN = '\uE000';
export const UNKNOWN_CLOSE = '\uE001';
const MARKER_PATTERN = /\uE000([^\uE001]*)\uE001/g;

/** A placeholder for an unknown value; `label` names where it came from (e.g. the variable). */
export function unknownToken(label: string): string {
  return `${UNKNOWN_OPEN}${label.replace(/[\uE000\uE001]/g, '')}${UNKNOWN_CLOSE}`;
}

export function containsUnknown(text: string): boolean {
  return text.includes(UNKNOWN_OPEN);
}

/** The text with every unknown placeholder removed. */
export function withoutUnknown(text: string): string {
  return text.replace(MARKER_PATTERN, '');
}

/** The text with each placeholder shown as `<?LABEL>`, for messages and debugging. */
export function describeUnknown(text: string): string {
  return text.replace(MARKER_PATTERN, (_whole, label: string) => `<?${label}>`);
}
