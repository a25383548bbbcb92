/**
 * "a", "a and b", "a, b and c", or "a, b, c and 4 more" past `shown` items: lists in messages.
 * Only the items shown are named (a list may hold thousands of stacks).
 */
export function listWithMore<T>(items: readonly T[], shown = 3, name: (item: T) => string = String): string {
  if (items.length > shown) return `${items.slice(0, shown).map(name).join(', ')} and ${items.length - shown} more`;
  if (items.length <= 1) return items.length === 0 ? '' : name(items[0]);
  return `${items.slice(0, -1).map(name).join(', ')} and ${name(items[items.length - 1])}`;
}
