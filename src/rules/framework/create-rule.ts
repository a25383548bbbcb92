import type { Analysis } from '../../analysis/analysis.js';
import type { Fix, Location, RuleMeta, RunOptions, Severity } from '../../types.js';
import { formatMessage, type LiteralMessages, type MessageData, type MessageValue, type Placeholders } from './messages.js';

export interface RuleContext {
  analysis: Analysis;
  options: RunOptions;
  /** Shows what a long rule is doing (e.g. "handshakes 3/12"); a no-op without a display. */
  progress: (status: string) => void;
}

interface ReportBase {
  location: Location | null;
  /** Absolute stack directory the finding concerns, if any. */
  stack?: string | null;
  fix?: Fix | null;
  /** Overrides the rule's severity for this report (e.g. an info-level "cannot check"). */
  severity?: Severity;
}

/** The data part of a report: required exactly when the template has placeholders. */
type DataFor<Template extends string> = [Placeholders<Template>] extends [never] ? { data?: undefined } : { data: MessageData<Template> };

/** What a rule with these messages may say: one member per message id, with its data. */
export type RuleMessage<Messages extends Readonly<Record<string, string>>> = {
  [Id in keyof Messages & string]: { messageId: Id } & DataFor<Messages[Id]>;
}[keyof Messages & string];

/**
 * What a rule with these messages may report: the message, then optional further sentences
 * (what Terraform would say, who is affected, what to run), each one of the rule's messages.
 */
export type RuleReport<Messages extends Readonly<Record<string, string>>> = ReportBase &
  RuleMessage<Messages> & { details?: ReadonlyArray<RuleMessage<Messages>> };

/** A report as the engine sees it, after the rule's types have done their work. */
export interface AnyMessage {
  messageId: string;
  data?: Readonly<Record<string, MessageValue>>;
}

export interface AnyReport extends ReportBase, AnyMessage {
  details?: readonly AnyMessage[];
}

/** A rule; `Messages` (its message table's type) lets tests name message ids the compiler checks. */
export interface Rule<Messages extends Readonly<Record<string, string>> = Readonly<Record<string, string>>> {
  meta: RuleMeta & { messages: Messages };
  check(context: RuleContext): Promise<AnyReport[]>;
  /** The report's wording: the rule's template for its message id, filled with its data, then its details'. */
  format(report: AnyReport): string;
}

export const DOCS_BASE_URL = 'https://github.com/tm-doctor/tm-doctor/blob/main/docs/rules/';

export interface RuleDefinition<Messages extends Readonly<Record<string, string>>> {
  id: string;
  severity: Severity;
  fixable: boolean;
  summary: string;
  /** Every sentence the rule can say, keyed by message id, with `{{name}}` placeholders. */
  messages: Messages & LiteralMessages<Messages>;
  check(context: RuleContext): Promise<Array<RuleReport<Messages>>>;
}

/**
 * Builds a rule (as typescript-eslint's `createRule`): the docs URL is derived from the id so
 * no rule can point elsewhere, and the reports are typed by the rule's own messages.
 */
export function createRule<const Messages extends Readonly<Record<string, string>>>(definition: RuleDefinition<Messages>): Rule<Messages> {
  const { check, ...meta } = definition;
  const messages: Readonly<Record<string, string>> = meta.messages;
  return {
    meta: { ...meta, messages: meta.messages, docsUrl: `${DOCS_BASE_URL}${meta.id}.md` },
    check: check as unknown as (context: RuleContext) => Promise<AnyReport[]>,
    format(report) {
      return [report, ...(report.details ?? [])]
        .map(({ messageId, data }) => {
          const template = messages[messageId];
          if (template === undefined) throw new Error(`rule ${meta.id} has no message "${messageId}"`);
          return formatMessage(template, data);
        })
        .join(' ');
    },
  };
}
