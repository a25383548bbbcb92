import { describe, expect, it } from '@jest/globals';
import { createRule, type RuleReport } from '../../../src/rules/framework/create-rule.js';
import type { Placeholders } from '../../../src/rules/framework/messages.js';

const messages = {
  plain: 'Nothing to fill in.',
  counted: '{{count}} stack(s) ({{stacks}}) lack {{what}}.',
  more: 'Also {{what}}.',
} as const;
type Report = RuleReport<typeof messages>;

const example = createRule({
  id: 'example',
  severity: 'warning',
  fixable: false,
  summary: 'An example.',
  messages,
  async check() {
    return [];
  },
});

// Compile-time specifications: `npm run typecheck` fails when any of these stops being an error.
export const typeChecks: Report[] = [
  { messageId: 'plain', location: null },
  { messageId: 'counted', data: { count: 2, stacks: 'a, b', what: 'locks' }, location: null },
  // @ts-expect-error a misspelt message id
  { messageId: 'plane', location: null },
  // @ts-expect-error a placeholder without data
  { messageId: 'counted', data: { count: 2, stacks: 'a, b' }, location: null },
  // @ts-expect-error a template with placeholders needs data
  { messageId: 'counted', location: null },
  // @ts-expect-error details are messages of the same rule
  { messageId: 'plain', details: [{ messageId: 'unknown' }], location: null },
];

export const placeholderCheck: Placeholders<'{{a}} and {{b}}'>[] = ['a', 'b'];

createRule({
  id: 'not-literal',
  severity: 'info',
  fixable: false,
  summary: 'Templates built at run time cannot be checked.',
  // @ts-expect-error a template must be one literal the compiler can read
  messages: { built: ['a', 'b'].join(' ') },
  async check() {
    return [];
  },
});

describe('createRule', () => {
  it('derives the docs URL from the id', () => {
    expect(example.meta.docsUrl).toBe('https://github.com/tm-doctor/tm-doctor/blob/main/docs/rules/example.md');
  });

  it('words a report from its template and data, then its details', () => {
    expect(example.format({ messageId: 'counted', data: { count: 2, stacks: 'a, b', what: 'locks' }, location: null })).toBe('2 stack(s) (a, b) lack locks.');
    expect(
      example.format({ messageId: 'plain', details: [{ messageId: 'more', data: { what: 'this' } }], location: null }),
    ).toBe('Nothing to fill in. Also this.');
  });

  it('refuses a message id the rule does not have (reports built without the types)', () => {
    expect(() => example.format({ messageId: 'missing', location: null })).toThrow(/no message "missing"/);
  });
});
