/** What `memoized` keeps values in: a Map, or a WeakMap for values kept per object. */
interface Memo<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The value computed once for `key` in `memo` (a value of `undefined` is computed again). */
export function memoized<K, V>(memo: Memo<K, V>, key: K, compute: () => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute();
    memo.set(key, value);
  }
  return value;
}
