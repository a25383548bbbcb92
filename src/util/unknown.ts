// The one value meaning "cannot be known statically": a CI input, a variable the user sets at
// run time, a Terramate global. Analyses carry it instead of guessing, and never claim it.
// (Inside GNU make text, where a value is a string, parsers/make/unknown.ts marks the same idea
// in the text itself.)

export const UNKNOWN: unique symbol = Symbol.for('tm-doctor.unknown');
export type Unknown = typeof UNKNOWN;

/** A value of type T, or UNKNOWN. */
export type Knowable<T> = T | Unknown;

export function isKnown<T>(value: Knowable<T>): value is T {
  return value !== UNKNOWN;
}
