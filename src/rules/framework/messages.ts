import type { MessageData, RuleMeta } from '../../types.js';

/** Fills a rule's message template; a missing argument is left visible rather than hidden. */
export function formatMessage(meta: RuleMeta, messageId: string, data: MessageData = {}): string {
  const template = meta.messages[messageId];
  if (template === undefined) throw new Error(`rule ${meta.id} has no message "${messageId}"`);
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
