/** "a", "a and b", "a, b and c", or "a, b, c and 4 more" past `shown` items: lists in messages. */
export function listWithMore(items: readonly string[], shown = 3): string {
  if (items.length > shown) return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
