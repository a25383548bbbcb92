// GitHub code scanning matches alerts across runs by `primaryLocationLineHash`. Its upload
// action fills the value in when a SARIF result lacks it and warns when a present value
// differs from its own, so tm-doctor computes the very same value: a rolling hash over
// the first 100 characters (blanks and tabs skipped, line endings normalised to `\n`)
// from the start of each line, suffixed with `:N` for the N-th line with that hash.

const WINDOW = 100;
const BASE = 37n;
const SPACE = 0x20;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Marks the end of the text inside the hash, so the last lines differ from padding. */
const END_OF_TEXT = 0xffff;
const NO_LINE = -1;

/** BASE^WINDOW modulo 2^64: the weight of the character leaving the window. */
const LEAVING_WEIGHT = BigInt.asUintN(64, BASE ** BigInt(WINDOW));

/**
 * The fingerprint of every line of `text` (index 0 is line 1). `text` is the file's
 * content decoded as UTF-8, BOM included, and hashed as UTF-16 code units.
 */
export function lineFingerprints(text: string): string[] {
  const window = new Array<number>(WINDOW).fill(0);
  // For each window slot: the line number whose first character sits there, or NO_LINE.
  const lineStartingAt = new Array<number>(WINDOW).fill(NO_LINE);
  const timesSeen = new Map<string, number>();
  const fingerprints: string[] = [];

  let hash = 0n;
  let slot = 0;
  let lineCount = 0;
  let atLineStart = true;
  let afterCarriageReturn = false;

  const emitLineAtSlot = (): void => {
    const hex = hash.toString(16);
    const seen = (timesSeen.get(hex) ?? 0) + 1;
    timesSeen.set(hex, seen);
    fingerprints[lineStartingAt[slot] - 1] = `${hex}:${seen}`;
    lineStartingAt[slot] = NO_LINE;
  };

  const slide = (code: number): void => {
    const leaving = window[slot];
    window[slot] = code;
    hash = BigInt.asUintN(64, BASE * hash + BigInt(code) - LEAVING_WEIGHT * BigInt(leaving));
    slot = (slot + 1) % WINDOW;
  };

  const consume = (rawCode: number): void => {
    if (rawCode === SPACE || rawCode === TAB || (afterCarriageReturn && rawCode === LINE_FEED)) {
      afterCarriageReturn = false;
      return;
    }
    afterCarriageReturn = rawCode === CARRIAGE_RETURN;
    const code = afterCarriageReturn ? LINE_FEED : rawCode;
    // The slot is about to be overwritten: the window now holds exactly the WINDOW
    // characters that follow the start of the line recorded there.
    if (lineStartingAt[slot] !== NO_LINE) emitLineAtSlot();
    if (atLineStart) {
      atLineStart = false;
      lineCount++;
      lineStartingAt[slot] = lineCount;
    }
    if (code === LINE_FEED) atLineStart = true;
    slide(code);
  };

  for (let index = 0; index < text.length; index++) consume(text.charCodeAt(index));
  consume(END_OF_TEXT);
  for (let padding = 0; padding < WINDOW; padding++) {
    if (lineStartingAt[slot] !== NO_LINE) emitLineAtSlot();
    slide(0);
  }
  return fingerprints;
}
