import type { Analysis } from '../../analysis/analysis.js';
import type { Fix, Location, RelatedLocation, RuleMeta, RunOptions, Severity } from '../../types.js';
import { formatMessage, type LiteralMessages, type MessageData, type MessageValue, type Placeholders } from './messages.js';

export interface RuleContext {
  analysis: Analysis;
  options: RunOptions;
  /** Shows what a long rule is doing (e.g. "handshakes 3/12"); a no-op without a display. */
  progress: (status: string) => void;
  /**
   * Whether a report of this rule at `location` would be dropped by a suppression comment
   * (the engine drops it either way): a rule may skip building its fix there.
   */
  suppressed: (location: Location) => boolean;
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

type Templates = Readonly<Record<string, string>>;

/** One of a table's templates with its data: one member per id. */
export type RuleMessage<Table extends Templates> = {
  [Id in keyof Table & string]: { messageId: Id } & DataFor<Table[Id]>;
}[keyof Table & string];

/** Another place that explains the finding ("TM_OPTS is defined here"), labelled from the help table. */
export interface RelatedReport<Help extends Templates> {
  location: Location;
  label: RuleMessage<Help>;
}

/**
 * What a rule may report: a short message (what is wrong, where it comes from), help (why,
 * what to do, trade-offs, long lists), and related places, all from the rule's own tables.
 */
export type RuleReport<Messages extends Templates, Help extends Templates> = ReportBase &
  RuleMessage<Messages> & {
    help: ReadonlyArray<RuleMessage<Help>>;
    related?: ReadonlyArray<RelatedReport<Help>>;
  };

/** A template with its data, as the engine sees it after the rule's types have done their work. */
export interface AnyMessage {
  messageId: string;
  data?: Readonly<Record<string, MessageValue>>;
}

export interface AnyReport extends ReportBase, AnyMessage {
  help: readonly AnyMessage[];
  related?: ReadonlyArray<{ location: Location; label: AnyMessage }>;
}

/** A report in words. */
export interface WordedReport {
  message: string;
  help: string;
  related: RelatedLocation[];
}

/** A rule; its tables' types let tests name message ids the compiler checks. */
export interface Rule<Messages extends Templates = Templates, Help extends Templates = Templates> {
  meta: RuleMeta & { messages: Messages; help: Help };
  check(context: RuleContext): Promise<AnyReport[]>;
  /** The report's wording: its message, its help sentences joined, its related labels. */
  word(report: AnyReport): WordedReport;
}

export const DOCS_BASE_URL = 'https://github.com/tm-doctor/tm-doctor/blob/main/docs/rules/';

export interface RuleDefinition<Messages extends Templates, Help extends Templates> {
  id: string;
  severity: Severity;
  fixable: boolean;
  summary: string;
  /** What the rule reports, keyed by message id: one sentence of at most 120 characters each. */
  messages: Messages & LiteralMessages<Messages>;
  /** Help sentences and related-location labels, with `{{name}}` placeholders like messages. */
  help: Help & LiteralMessages<Help>;
  check(context: RuleContext): Promise<Array<RuleReport<Messages, Help>>>;
}

/** The longest a message may be once filled in: the rest goes to help. */
export const MAX_MESSAGE_LENGTH = 120;

function fill(table: Templates, ruleId: string, { messageId, data }: AnyMessage): string {
  const template = table[messageId];
  if (template === undefined) throw new Error(`rule ${ruleId} has no template "${messageId}"`);
  return formatMessage(template, data);
}

/**
 * Builds a rule (as typescript-eslint's `createRule`): the docs URL is derived from the id so
 * no rule can point elsewhere, and the reports are typed by the rule's own tables.
 */
export function createRule<const Messages extends Templates, const Help extends Templates>(definition: RuleDefinition<Messages, Help>): Rule<Messages, Help> {
  const { check, ...meta } = definition;
  const messages: Templates = meta.messages;
  const help: Templates = meta.help;
  return {
    meta: { ...meta, messages: meta.messages, help: meta.help, docsUrl: `${DOCS_BASE_URL}${meta.id}.md` },
    check: check as unknown as (context: RuleContext) => Promise<AnyReport[]>,
    word(report) {
      return {
        message: fill(messages, meta.id, report),
        help: report.help.map((sentence) => fill(help, meta.id, sentence)).join(' '),
        related: (report.related ?? []).map(({ location, label }) => ({ location, messageId: label.messageId, message: fill(help, meta.id, label) })),
      };
    },
  };
}
