import { describe, expect, it } from '@jest/globals';
import { createRule, type RuleReport } from '../../../src/rules/framework/create-rule.js';
import type { Placeholders } from '../../../src/rules/framework/messages.js';

const messages = {
  plain: 'Nothing to fill in',
  counted: '{{count}} stack(s) lack {{what}}',
} as const;
const help = {
  why: 'Because {{reason}}.',
  remedy: 'Do this.',
  'defined-here': '{{name}} is defined here',
} as const;
type Report = RuleReport<typeof messages, typeof help>;

const example = createRule({
  id: 'example',
  severity: 'warning',
  fixable: false,
  summary: 'An example.',
  messages,
  help,
  async check() {
    return [];
  },
});

const AT = { file: '/p/Makefile', range: { line: 3, column: 1, endLine: 3, endColumn: 5 } };

// Compile-time specifications: `npm run typecheck` (part of `npm test`) fails when any of
// these stops being an error.
export const typeChecks: Report[] = [
  { messageId: 'plain', help: [{ messageId: 'remedy' }], location: null },
  { messageId: 'counted', data: { count: 2, what: 'locks' }, help: [{ messageId: 'why', data: { reason: 'x' } }], location: null },
  // @ts-expect-error a misspelt message id
  { messageId: 'plane', help: [], location: null },
  // @ts-expect-error a placeholder without data
  { messageId: 'counted', data: { count: 2 }, help: [], location: null },
  // @ts-expect-error a template with placeholders needs data
  { messageId: 'counted', help: [], location: null },
  // @ts-expect-error help sentences come from the help table, not the messages
  { messageId: 'plain', help: [{ messageId: 'plain' }], location: null },
  // @ts-expect-error a help sentence's placeholders need data too
  { messageId: 'plain', help: [{ messageId: 'why' }], location: null },
  // @ts-expect-error a related label is a help template with its data
  { messageId: 'plain', help: [], related: [{ location: AT, label: { messageId: 'defined-here' } }], location: null },
];

export const placeholderCheck: Array<Placeholders<'{{a}} and {{b}}'>> = ['a', 'b'];

createRule({
  id: 'not-literal',
  severity: 'info',
  fixable: false,
  summary: 'Templates built at run time cannot be checked.',
  // @ts-expect-error a template must be one literal the compiler can read
  messages: { built: ['a', 'b'].join(' ') },
  help: {},
  async check() {
    return [];
  },
});

describe('createRule', () => {
  it('derives the docs URL from the id', () => {
    expect(example.meta.docsUrl).toBe('https://github.com/tm-doctor/tm-doctor/blob/main/docs/rules/example.md');
  });

  it('words a report: the message, the help sentences joined, each related place labelled', () => {
    expect(
      example.word({
        messageId: 'counted',
        data: { count: 2, what: 'locks' },
        help: [{ messageId: 'why', data: { reason: 'the cache' } }, { messageId: 'remedy' }],
        related: [{ location: AT, label: { messageId: 'defined-here', data: { name: 'TM_OPTS' } } }],
        location: null,
      }),
    ).toEqual({
      message: '2 stack(s) lack locks',
      help: 'Because the cache. Do this.',
      related: [{ location: AT, messageId: 'defined-here', message: 'TM_OPTS is defined here' }],
    });
  });

  it('refuses a message id the rule does not have (reports built without the types)', () => {
    expect(() => example.word({ messageId: 'missing', help: [], location: null })).toThrow(/no template "missing"/);
  });
});
