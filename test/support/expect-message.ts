import { expect } from '@jest/globals';

/**
 * `expect(actual)` whose failures start with `message` (which row of a loop, which file):
 * jest's `expect` takes exactly one argument. Every matcher, `.not`, `.resolves` and
 * `.rejects` is jest's own; only the thrown error's message changes.
 */
export function expectWithMessage<T>(actual: T, message: string): ReturnType<typeof expect<T>> {
  return withMessage(expect(actual), message);
}

function withMessage<M extends object>(target: M, message: string): M {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(object, args);
          } catch (error) {
            throw prefixed(error, message);
          }
          if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(prefixed(error, message)));
          return result;
        };
      }
      if (value !== null && typeof value === 'object') return withMessage(value, message);
      return value;
    },
  });
}

function prefixed(error: unknown, message: string): unknown {
  if (!(error instanceof Error)) return error;
  error.message = `${message}\n\n${error.message}`;
  // The failure is the test's line, not this file's: jest shows the first frame's code.
  if (typeof error.stack === 'string') {
    error.stack = error.stack
      .split('\n')
      .filter((line) => !/^\s+at .*expect-message\.[jt]s:\d+:\d+\)?$/.test(line))
      .join('\n');
  }
  return error;
}
