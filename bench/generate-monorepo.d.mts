/** A generated monorepo of `stacks` stacks in a new temp directory; returns its path. */
export function generateMonorepo(stacks: number): string;
