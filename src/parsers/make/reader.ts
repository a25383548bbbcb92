// Reads makefiles as GNU make's eval() does: assignments, define, conditionals, include,
// rules and their recipe lines, target- and pattern-specific variables.

import * as path from 'node:path';
import { LineIndex } from '../../util/line-index.js';
import { parseAssignment, parseVariableDefinition, type ParsedDefinition } from './assignment.js';
import { ConditionalStack, type Activity } from './conditionals.js';
import { Expander } from './expand.js';
import { EMPTY, literal, splitWords, textOf, type VariantBudget } from './pieces.js';
import { collapseInsideReferences, dropContinuationPrefixes } from './recipe-text.js';
import {
  collapseContinuations,
  detachedSource,
  endOffset,
  physicalLines,
  readLogicalLine,
  removeComments,
  skipBlanks,
  sliceSource,
  SourceBuilder,
  startOffset,
  type SourceText,
} from './source.js';
import type { MakeDiagnostic, MakeReadFile, VariableDefinition, VariableOperator } from './types.js';
import { containsUnknown, unknownToken, withoutUnknown } from './unknown.js';
import { mergeAlternatives, rawIsEmpty, VariableScope, type Alternative, type Alternatives, type DefinitionSite, type Segment } from './variables.js';

export interface RawRecipeLine {
  /** The text make expands (prefixes after continuations dropped, references collapsed). */
  source: SourceText;
  file: string;
  line: number;
  endLine: number;
  start: number;
  end: number;
  raw: string;
  conditional: boolean;
}

export interface RuleRecord {
  targets: string[];
  prerequisites: string[];
  orderOnly: string[];
  doubleColon: boolean;
  lines: RawRecipeLine[];
}

export interface ReadResult {
  globals: VariableScope;
  /** Target-specific variables by exact target name. */
  targetScopes: Map<string, VariableScope>;
  /** Pattern-specific variables, in definition order. */
  patternScopes: Array<{ pattern: string; scope: VariableScope }>;
  rules: RuleRecord[];
  files: string[];
  definitions: VariableDefinition[];
  diagnostics: MakeDiagnostic[];
  /** Every variable name some makefile assigns. */
  assignedNames: Set<string>;
}

export const AUTOMATIC_NAMES = ['@', '<', '^', '+', '|', '*', '?', '%', '@D', '@F', '<D', '<F', '^D', '^F', '*D', '*F', '+D', '+F', '?D', '?F', '%D', '%F', '|D', '|F'];

const MAX_INCLUDE_DEPTH = 32;
/**
 * Files read in one evaluation at most, includes counted: `include Makefile` twice in a
 * Makefile would otherwise double the work at each of the 32 levels.
 */
const MAX_FILES_READ = 256;
const COMMAND_LINE_FILE = '<command line>';

interface FileState {
  file: string;
  text: string;
  conditionals: ConditionalStack;
}

export interface ReaderOptions {
  variables: Record<string, string>;
  budget: VariantBudget;
  /** Names known to be assigned somewhere (from an earlier pass); null: none known yet. */
  assignedSomewhere: Set<string> | null;
}

export class MakefileReader {
  private readonly globals = new VariableScope(null);
  private readonly targetScopes = new Map<string, VariableScope>();
  private readonly patternScopes: Array<{ pattern: string; scope: VariableScope }> = [];
  private readonly patternScopeByName = new Map<string, VariableScope>();
  private readonly rules: RuleRecord[] = [];
  private readonly files: string[] = [];
  private readonly definitions: VariableDefinition[] = [];
  private readonly diagnostics: MakeDiagnostic[] = [];
  private readonly assignedNames = new Set<string>();
  private readonly expander: Expander;
  private recipePrefix = '\t';
  private currentRule: RuleRecord | null = null;
  private ruleWithoutTargets = false;
  private entryDir = '.';
  /** The makefiles being read, outermost first (an include of one of them is a cycle). */
  private reading: string[] = [];
  private filesRead = 0;
  private fileTexts = new Map<string, string>();
  /** Line starts of each file, built on its first diagnostic. */
  private fileLines = new Map<string, LineIndex>();

  constructor(
    private readonly read: MakeReadFile,
    private readonly options: ReaderOptions,
  ) {
    this.expander = new Expander({
      budget: options.budget,
      isDefinedSomewhere: (name) => this.isDefinedSomewhere(name),
      diagnose: (file, offset, message) => this.diagnoseAt(file, offset, message),
    });
    this.defineDefaults();
  }

  isDefinedSomewhere(name: string): boolean {
    if (name === 'MAKECMDGOALS') return name in this.options.variables;
    if (AUTOMATIC_NAMES.includes(name) || /^[0-9]+$/.test(name)) return true;
    return this.options.assignedSomewhere?.has(name) ?? false;
  }

  readEntry(entry: string): ReadResult {
    this.entryDir = path.dirname(entry);
    const text = this.safeRead(entry);
    if (text === undefined) this.diagnostics.push({ file: entry, line: 0, column: 0, message: `${entry}: No such file or directory` });
    else {
      this.reading = [entry];
      this.readFile(entry, text, 0);
    }
    return {
      globals: this.globals,
      targetScopes: this.targetScopes,
      patternScopes: this.patternScopes,
      rules: this.rules,
      files: this.files,
      definitions: this.definitions,
      diagnostics: this.diagnostics,
      assignedNames: this.assignedNames,
    };
  }

  private safeRead(file: string): string | undefined {
    try {
      return this.read(file);
    } catch {
      return undefined;
    }
  }

  private defineDefaults(): void {
    const fixed = (name: string, value: string, origin: Alternative['origin']): void => {
      this.globals.set(name, [{ flavor: 'recursive', origin, segments: [{ site: null, separator: 'never', raw: detachedSource('<default>', value), expanded: null }], appendsToOuter: false }]);
    };
    fixed('MAKE', '$(MAKE_COMMAND)', 'default');
    fixed('MAKE_COMMAND', 'make', 'default');
    fixed('SHELL', '/bin/sh', 'file');
    fixed('.SHELLFLAGS', '-c', 'default');
    for (const [name, value] of Object.entries(this.options.variables)) {
      if (name === 'MAKECMDGOALS') {
        this.globals.set(name, [{ flavor: 'simple', origin: 'default', segments: [{ site: null, separator: 'never', raw: null, expanded: [literal(value)] }], appendsToOuter: false }]);
        continue;
      }
      this.globals.set(name, [{ flavor: 'recursive', origin: 'command line', segments: [{ site: null, separator: 'never', raw: detachedSource(COMMAND_LINE_FILE, value.replace(/^[ \t]+/, '')), expanded: null }], appendsToOuter: false }]);
    }
  }

  private diagnoseAt(file: string, offset: number, message: string): void {
    const text = this.fileTexts.get(file);
    if (text === undefined) {
      this.diagnostics.push({ file, line: 0, column: 0, message });
      return;
    }
    // One index per file: scanning from the start per diagnostic was quadratic in their number.
    let lines = this.fileLines.get(file);
    if (!lines) {
      lines = new LineIndex(text);
      this.fileLines.set(file, lines);
    }
    const { line } = lines.position(Math.max(0, Math.min(offset, text.length)));
    this.diagnostics.push({ file, line, column: offset - lines.lineStart(line) + 1, message });
  }

  private diagnoseLine(file: string, line: number, message: string): void {
    this.diagnostics.push({ file, line, column: 1, message });
  }

  private readFile(file: string, text: string, depth: number): void {
    this.files.push(file);
    this.fileTexts.set(file, text);
    this.fileLines.delete(file);
    this.appendMakefileList(file);
    const state: FileState = { file, text, conditionals: new ConditionalStack() };
    const lines = physicalLines(text);
    let index = 0;
    this.currentRule = null;
    this.ruleWithoutTargets = false;
    while (index < lines.length) {
      const { logical, next } = readLogicalLine(file, text, lines, index);
      index = next;
      const source = logical.source;
      const activity = state.conditionals.activity();

      if (source.text[0] === this.recipePrefix && source.text.length > 0) {
        if (this.ruleWithoutTargets) continue;
        if (this.currentRule) {
          if (activity !== 'no') this.addRecipeLine(this.currentRule, sliceSource(source, 1, source.text.length), logical.line, logical.endLine, activity === 'maybe');
          continue;
        }
      }

      const collapsed = removeComments(collapseContinuations(source));
      const begin = skipBlanks(collapsed.text, 0);
      const assignment = parseAssignment(collapsed.text, begin);
      if (assignment) {
        if (assignment.kind === 'define') {
          index = this.readDefine(state, collapsed, assignment.rest, assignment.modifiers.override, logical.line, lines, index, activity);
          if (activity !== 'no') this.endRule();
          continue;
        }
        if (activity === 'no') {
          if (assignment.kind === 'assign') this.noteDeadAssignment(collapsed.text.slice(assignment.definition.nameStart, assignment.definition.nameEnd));
          continue;
        }
        this.endRule();
        if (assignment.kind === 'undefine') {
          this.undefine(collapsed, assignment.rest, assignment.modifiers.override, activity);
          continue;
        }
        this.assignFromLine(this.globals, collapsed, assignment.definition, assignment.modifiers.override, logical.line, activity, undefined);
        continue;
      }

      if (/^[ \t\n\v\f\r]*$/.test(collapsed.text)) continue;
      const wordEnd = findWordEnd(collapsed.text, begin);
      const word = collapsed.text.slice(begin, wordEnd);
      const afterWord = skipBlanks(collapsed.text, wordEnd);

      if (this.conditionalDirective(state, collapsed, word, afterWord, logical.line)) continue;
      if (activity === 'no') continue;
      if (word === 'endef') {
        this.diagnoseLine(file, logical.line, "extraneous 'endef'");
        continue;
      }
      if (word === 'export' || word === 'unexport' || word === 'vpath' || word === 'load' || word === '-load') continue;
      if (word === 'include' || word === '-include' || word === 'sinclude') {
        this.endRule();
        this.include(state, collapsed, afterWord, word === 'include', logical.line, depth);
        this.currentRule = null;
        continue;
      }
      if (source.text[0] === this.recipePrefix) {
        this.diagnoseLine(file, logical.line, 'recipe commences before first target');
        continue;
      }
      this.ruleLine(state, source, collapsed, logical.line, logical.endLine, activity);
    }
    for (const line of state.conditionals.openLines()) this.diagnoseLine(file, line, "missing 'endif'");
    this.endRule();
  }

  /** A name assigned in a branch not taken is still "defined in the makefiles": not unknown. */
  private noteDeadAssignment(name: string): void {
    if (!name.includes('$')) this.assignedNames.add(name.trim());
  }

  private appendMakefileList(file: string): void {
    this.expander.invalidate();
    const existing = this.globals.own('MAKEFILE_LIST');
    const previous = existing?.[0]?.segments[0]?.expanded?.[0] ?? EMPTY;
    const value = textOf(previous) === '' ? file : `${textOf(previous)} ${file}`;
    this.globals.set('MAKEFILE_LIST', [{ flavor: 'simple', origin: 'file', segments: [{ site: null, separator: 'never', raw: null, expanded: [literal(value)] }], appendsToOuter: false }]);
  }

  private endRule(): void {
    this.currentRule = null;
    this.ruleWithoutTargets = false;
  }

  private addRecipeLine(rule: RuleRecord, content: SourceText, line: number, endLine: number, conditional: boolean): void {
    const prepared = collapseInsideReferences(dropContinuationPrefixes(content, this.recipePrefix));
    const start = startOffset(content);
    const end = endOffset(content);
    const fileText = this.fileTexts.get(content.file) ?? '';
    rule.lines.push({ source: prepared, file: content.file, line, endLine, start, end, raw: fileText.slice(start, end), conditional });
  }

  /** Evaluates a condition to yes/no/maybe; null means a syntax error (reported). */
  private evaluateCondition(state: FileState, collapsed: SourceText, word: string, from: number, line: number): Activity | null {
    const text = collapsed.text;
    if (word === 'ifdef' || word === 'ifndef') {
      const names = this.expander.expand(sliceSource(collapsed, from, trimEnd(text, text.length)), this.globals);
      const results = new Set<Activity>();
      for (const nameValue of names) {
        const name = textOf(nameValue).trim();
        if (containsUnknown(name) || /\s/.test(name)) {
          results.add('maybe');
          continue;
        }
        const found = this.globals.find(name);
        let defined: Activity;
        if (!found) defined = this.isDefinedSomewhere(name) || name === '' ? 'no' : 'maybe';
        else {
          const states = new Set(found.alternatives.map((alternative) => (alternative === null ? 'no' : rawIsEmpty(alternative) ? 'no' : 'yes')));
          defined = states.size === 1 ? (states.has('yes') ? 'yes' : 'no') : 'maybe';
        }
        results.add(word === 'ifdef' ? defined : invert(defined));
      }
      return combine(results);
    }
    const operands = parseEqualityOperands(text, from);
    if (!operands) {
      this.diagnoseLine(state.file, line, 'invalid syntax in conditional');
      return null;
    }
    if (operands.extraneous) this.diagnoseLine(state.file, line, `extraneous text after '${word}' directive`);
    const left = this.expander.expand(sliceSource(collapsed, operands.left.start, operands.left.end), this.globals);
    const right = this.expander.expand(sliceSource(collapsed, operands.right.start, operands.right.end), this.globals);
    const results = new Set<Activity>();
    for (const a of left) {
      for (const b of right) {
        const x = textOf(a);
        const y = textOf(b);
        let equal: Activity;
        if (containsUnknown(x) || containsUnknown(y)) equal = 'maybe';
        else equal = x === y ? 'yes' : 'no';
        results.add(word === 'ifeq' ? equal : invert(equal));
      }
    }
    return combine(results);
  }

  /** Handles ifeq/ifneq/ifdef/ifndef/else/endif; returns false for other lines. */
  private conditionalDirective(state: FileState, collapsed: SourceText, word: string, from: number, line: number): boolean {
    const conditionals = state.conditionals;
    if (word === 'ifeq' || word === 'ifneq' || word === 'ifdef' || word === 'ifndef') {
      const evaluate = conditionals.activity() !== 'no';
      const condition = evaluate ? this.evaluateCondition(state, collapsed, word, from, line) : null;
      conditionals.open(evaluate ? (condition ?? 'no') : null, line);
      return true;
    }
    if (word === 'else') {
      const rest = collapsed.text.slice(from).trim();
      if (rest === '') {
        const error = conditionals.elseBranch('yes', true);
        if (error) this.diagnoseLine(state.file, line, error);
        return true;
      }
      const innerEnd = findWordEnd(collapsed.text, from);
      const inner = collapsed.text.slice(from, innerEnd);
      if (!['ifeq', 'ifneq', 'ifdef', 'ifndef'].includes(inner)) {
        this.diagnoseLine(state.file, line, "extraneous text after 'else' directive");
        const error = conditionals.elseBranch('yes', true);
        if (error) this.diagnoseLine(state.file, line, error);
        return true;
      }
      const condition = conditionals.elseNeedsCondition() ? this.evaluateCondition(state, collapsed, inner, skipBlanks(collapsed.text, innerEnd), line) : 'no';
      const error = conditionals.elseBranch(condition ?? 'no', false);
      if (error) this.diagnoseLine(state.file, line, error);
      return true;
    }
    if (word === 'endif') {
      const error = conditionals.close();
      if (error) this.diagnoseLine(state.file, line, error);
      else if (collapsed.text.slice(from).trim() !== '') this.diagnoseLine(state.file, line, "extraneous text after 'endif' directive");
      return true;
    }
    return false;
  }

  private include(state: FileState, collapsed: SourceText, from: number, required: boolean, line: number, depth: number): void {
    const values = this.expander.expand(sliceSource(collapsed, from, collapsed.text.length), this.globals);
    const names = new Set<string>();
    for (const value of values) {
      for (const word of splitWords(value)) {
        const name = textOf(word);
        if (!containsUnknown(name)) names.add(name);
      }
    }
    for (const name of names) {
      const candidates = path.isAbsolute(name)
        ? [name]
        : [path.resolve(this.entryDir, name), path.resolve(path.dirname(state.file), name)].filter((candidate, index, all) => all.indexOf(candidate) === index);
      let found: { file: string; text: string } | undefined;
      for (const candidate of candidates) {
        const text = this.safeRead(candidate);
        if (text !== undefined) {
          found = { file: candidate, text };
          break;
        }
      }
      if (!found) {
        if (required) this.diagnoseLine(state.file, line, `${name}: No such file or directory`);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        this.diagnoseLine(state.file, line, `${name}: includes nested too deeply`);
        continue;
      }
      if (this.reading.includes(found.file)) {
        this.diagnoseLine(state.file, line, `${name}: includes itself (an include cycle); not read again`);
        continue;
      }
      if (++this.filesRead > MAX_FILES_READ) {
        this.diagnoseLine(state.file, line, `${name}: more than ${MAX_FILES_READ} makefiles read in one evaluation; not read`);
        continue;
      }
      this.reading.push(found.file);
      try {
        this.readFile(found.file, found.text, depth + 1);
      } finally {
        this.reading.pop();
      }
    }
  }

  private undefine(collapsed: SourceText, from: number, override: boolean, activity: Activity): void {
    const names = this.expander.expand(sliceSource(collapsed, from, trimEnd(collapsed.text, collapsed.text.length)), this.globals);
    for (const value of names) {
      const name = textOf(value).trim();
      if (name === '' || containsUnknown(name)) continue;
      this.expander.invalidate();
      const existing = this.globals.own(name);
      if (existing?.some((alternative) => alternative?.origin === 'command line') && !override) continue;
      if (activity === 'maybe') this.globals.set(name, mergeAlternatives(existing ?? [null], [null]));
      else this.globals.delete(name);
    }
  }

  /** Reads a define block; returns the index of the physical line after `endef`. */
  private readDefine(
    state: FileState,
    header: SourceText,
    from: number,
    override: boolean,
    line: number,
    lines: ReadonlyArray<{ start: number; end: number }>,
    startIndex: number,
    activity: Activity,
  ): number {
    const headerText = header.text;
    const parsed = parseVariableDefinition(headerText, from);
    let nameStart = from;
    let nameEnd = trimEnd(headerText, headerText.length);
    let op: VariableOperator = 'define';
    let flavorOp: ParsedDefinition['op'] = '=';
    if (parsed) {
      nameStart = parsed.nameStart;
      nameEnd = parsed.nameEnd;
      flavorOp = parsed.op;
      op = 'define';
      if (parsed.valueStart < trimEnd(headerText, headerText.length)) this.diagnoseLine(state.file, line, "extraneous text after 'define' directive");
    }
    const body = new SourceBuilder(state.file);
    let index = startIndex;
    let depth = 1;
    let first = true;
    let bodyStart = -1;
    let bodyEnd = -1;
    let closed = false;
    while (index < lines.length) {
      const { logical, next } = readLogicalLine(state.file, state.text, lines, index);
      index = next;
      const collapsed = collapseContinuations(logical.source);
      if (collapsed.text[0] !== this.recipePrefix) {
        const p = skipBlanks(collapsed.text, 0);
        const wordEnd = findWordEnd(collapsed.text, p);
        const word = collapsed.text.slice(p, wordEnd);
        if (word === 'define') depth++;
        else if (word === 'endef') {
          const rest = removeComments(sliceSource(collapsed, wordEnd, collapsed.text.length)).text.trim();
          if (rest !== '') this.diagnoseLine(state.file, logical.line, "extraneous text after 'endef' directive");
          if (--depth === 0) {
            closed = true;
            break;
          }
        }
      }
      if (!first) body.appendSynthetic('\n', startOffset(collapsed));
      body.append(collapsed, 0, collapsed.text.length);
      if (bodyStart < 0) bodyStart = logical.start;
      bodyEnd = logical.end;
      first = false;
    }
    if (!closed) {
      this.diagnoseLine(state.file, line, "missing 'endef', unterminated 'define'");
      return index;
    }
    if (activity === 'no') {
      this.noteDeadAssignment(headerText.slice(nameStart, nameEnd));
      return index;
    }
    const value = body.build(bodyEnd < 0 ? lines[startIndex - 1]?.end ?? 0 : bodyEnd);
    const valueStart = bodyStart < 0 ? value.offsets[0] : bodyStart;
    const names = this.expandName(sliceSource(header, nameStart, nameEnd));
    for (const name of names) {
      this.assign(this.globals, {
        name,
        op: flavorOp,
        recordedOp: op,
        value,
        site: { file: state.file, line },
        override,
        activity,
        target: undefined,
        valueStart,
        valueEnd: bodyEnd < 0 ? valueStart : bodyEnd,
      });
    }
    return index;
  }

  private expandName(source: SourceText): string[] {
    const names = new Set<string>();
    for (const value of this.expander.expand(source, this.globals)) {
      const name = textOf(value).trim();
      if (name !== '') names.add(name);
    }
    return [...names];
  }

  private assignFromLine(
    scope: VariableScope,
    collapsed: SourceText,
    definition: ParsedDefinition,
    override: boolean,
    line: number,
    activity: Activity,
    target: string | undefined,
  ): void {
    const value = sliceSource(collapsed, definition.valueStart, collapsed.text.length);
    const valueStart = startOffset(value);
    const valueEnd = value.text.length === 0 ? valueStart : value.offsets[value.text.length - 1] + 1;
    const nameSource = sliceSource(collapsed, definition.nameStart, definition.nameEnd);
    const names = this.expandNameIn(nameSource, scope);
    if (names.length === 0) this.diagnoseLine(collapsed.file, line, 'empty variable name');
    for (const name of names) {
      this.assign(scope, { name, op: definition.op, recordedOp: definition.op, value, site: { file: collapsed.file, line }, override, activity, target, valueStart, valueEnd });
    }
  }

  private expandNameIn(source: SourceText, scope: VariableScope): string[] {
    const names = new Set<string>();
    for (const value of this.expander.expand(source, scope)) {
      const name = textOf(value);
      if (name !== '') names.add(name);
    }
    return [...names];
  }

  private assign(
    scope: VariableScope,
    request: {
      name: string;
      op: ParsedDefinition['op'];
      recordedOp: VariableOperator;
      value: SourceText;
      site: DefinitionSite;
      override: boolean;
      activity: Activity;
      target: string | undefined;
      valueStart: number;
      valueEnd: number;
    },
  ): void {
    const { name, op, value, site, override, activity, target } = request;
    this.expander.invalidate();
    this.assignedNames.add(name);
    const isTarget = target !== undefined;
    const visible = scope.find(name)?.alternatives ?? [];
    const flavor: 'recursive' | 'simple' = op === ':=' || op === '::=' ? 'simple' : 'recursive';
    this.definitions.push({
      name,
      flavor,
      op: request.recordedOp,
      file: site.file,
      line: site.line,
      valueStart: request.valueStart,
      valueEnd: request.valueEnd,
      value: value.text,
      ...(target !== undefined ? { target } : {}),
      ...(activity === 'maybe' ? { conditional: true } : {}),
    });
    // A target-specific value loses only to the command line; a global one also to `override`.
    const stronger = (alternative: Alternative | null): boolean => alternative?.origin === 'command line' || (!isTarget && alternative?.origin === 'override');
    const ownOverride = isTarget && (scope.own(name) ?? []).some((alternative) => alternative?.origin === 'override');
    if (!override && ownOverride && !visible.some(stronger)) {
      // make keeps the override value but still resets its "append" flag from this line.
      const own = scope.own(name) ?? [];
      scope.set(name, own.map((alternative) => (alternative ? { ...alternative, appendsToOuter: op === '+=' && alternative.appendsToOuter } : null)));
      return;
    }
    if (!override && (visible.some(stronger) || ownOverride)) return;
    const origin: Alternative['origin'] = override ? 'override' : 'file';
    const own: Alternatives = isTarget ? (scope.own(name) ?? []) : visible;
    const current: Alternatives = own.length > 0 ? own : [null];
    let computed: Alternatives;
    switch (op) {
      case '=':
        computed = [recursiveAlternative(value, site, origin)];
        break;
      case ':=':
      case '::=':
        computed = [{ flavor: 'simple', origin, segments: [{ site, separator: 'never', raw: null, expanded: this.expander.expand(value, scope) }], appendsToOuter: false }];
        break;
      case '!=':
        computed = [{ flavor: 'recursive', origin, segments: [{ site, separator: 'never', raw: null, expanded: [[{ text: unknownToken('shell'), via: [] }]] }], appendsToOuter: false }];
        break;
      case '?=': {
        const defined = isTarget ? visible : current;
        if (defined.length > 0 && defined.every((alternative) => alternative !== null)) return;
        computed = defined.length === 0 ? [recursiveAlternative(value, site, origin)] : defined.map((alternative) => alternative ?? recursiveAlternative(value, site, origin));
        break;
      }
      case '+=':
        computed = current.map((alternative) => {
          if (alternative === null) {
            if (isTarget) return { flavor: 'recursive', origin, segments: [{ site, separator: 'if-nonempty', raw: value, expanded: null }], appendsToOuter: true };
            return recursiveAlternative(value, site, origin);
          }
          // make leaves the value alone when the appended text (raw or expanded) is empty.
          if (alternative.flavor === 'recursive' && value.text === '') return alternative;
          const segment: Segment =
            alternative.flavor === 'recursive'
              ? { site, separator: rawIsEmpty(alternative) ? 'never' : 'always', raw: value, expanded: null }
              : { site, separator: 'if-both-nonempty', raw: null, expanded: this.expander.expand(value, scope) };
          return { ...alternative, origin: override ? 'override' : alternative.origin, segments: [...alternative.segments, segment] };
        });
        break;
    }
    const next = activity === 'maybe' ? mergeAlternatives(isTarget ? (own.length > 0 ? own : [null]) : current, computed) : computed;
    scope.set(name, next);
    if (name === '.RECIPEPREFIX' && scope === this.globals) this.updateRecipePrefix();
  }

  private updateRecipePrefix(): void {
    const values = this.expander.reference('.RECIPEPREFIX', this.globals, { file: '<internal>', start: 0, end: 0 });
    const text = withoutUnknown(textOf(values[0] ?? EMPTY));
    this.recipePrefix = text === '' ? '\t' : text[0];
  }

  private ruleLine(state: FileState, source: SourceText, collapsed: SourceText, line: number, endLine: number, activity: Activity): void {
    this.endRule();
    const separator = findRecipeSeparator(source.text);
    const ruleSource = collapseContinuations(separator ? sliceSource(source, 0, separator.index) : source);
    const colon = findTopLevel(ruleSource.text, ':');
    if (colon < 0) {
      const values = this.expander.expand(ruleSource, this.globals);
      const meaningful = values.some((value) => withoutUnknown(textOf(value)).trim() !== '');
      if (meaningful) {
        const message = /^ {8}/.test(source.text) ? 'missing separator (did you mean TAB instead of 8 spaces?)' : 'missing separator';
        this.diagnoseLine(state.file, line, message);
      }
      if (separator?.char === ';') this.diagnoseLine(state.file, line, 'missing rule before recipe');
      return;
    }
    const doubleColon = ruleSource.text[colon + 1] === ':';
    const afterColon = colon + (doubleColon ? 2 : 1);
    const targets = this.expandWords(sliceSource(ruleSource, 0, colon));
    if (targets.length === 0) {
      this.ruleWithoutTargets = true;
      return;
    }
    const targetAssignment = parseAssignment(collapsed.text, afterColon);
    if (targetAssignment && findTopLevel(collapsed.text, ':') === colon) {
      if (targetAssignment.kind !== 'assign') {
        this.diagnoseLine(state.file, line, 'missing separator');
        return;
      }
      if (activity === 'no') return;
      for (const target of targets) {
        const scope = this.scopeForTarget(target);
        this.assignFromLine(scope, collapsed, targetAssignment.definition, targetAssignment.modifiers.override, line, activity, target);
      }
      return;
    }
    let prerequisiteText = sliceSource(ruleSource, afterColon, ruleSource.text.length);
    const secondColon = findTopLevel(prerequisiteText.text, ':');
    if (secondColon >= 0) prerequisiteText = sliceSource(prerequisiteText, secondColon + 1, prerequisiteText.text.length);
    const bar = findTopLevel(prerequisiteText.text, '|');
    const normal = bar >= 0 ? sliceSource(prerequisiteText, 0, bar) : prerequisiteText;
    const orderOnly = bar >= 0 ? this.expandWords(sliceSource(prerequisiteText, bar + 1, prerequisiteText.text.length)) : [];
    const rule: RuleRecord = { targets, prerequisites: this.expandWords(normal), orderOnly, doubleColon, lines: [] };
    this.rules.push(rule);
    this.currentRule = rule;
    if (separator?.char === ';') {
      this.addRecipeLine(rule, sliceSource(source, separator.index + 1, source.text.length), line, endLine, activity === 'maybe');
    }
  }

  private scopeForTarget(target: string): VariableScope {
    if (target.includes('%')) {
      const existing = this.patternScopeByName.get(target);
      if (existing) return existing;
      const scope = new VariableScope(this.globals);
      this.patternScopes.push({ pattern: target, scope });
      this.patternScopeByName.set(target, scope);
      return scope;
    }
    let scope = this.targetScopes.get(target);
    if (!scope) {
      scope = new VariableScope(this.globals);
      this.targetScopes.set(target, scope);
    }
    return scope;
  }

  private expandWords(source: SourceText): string[] {
    const words = new Set<string>();
    for (const value of this.expander.expand(source, this.globals)) {
      for (const word of splitWords(value)) words.add(textOf(word));
    }
    return [...words];
  }
}

function recursiveAlternative(value: SourceText, site: DefinitionSite, origin: Alternative['origin']): Alternative {
  return { flavor: 'recursive', origin, segments: [{ site, separator: 'never', raw: value, expanded: null }], appendsToOuter: false };
}

function invert(activity: Activity): Activity {
  return activity === 'yes' ? 'no' : activity === 'no' ? 'yes' : 'maybe';
}

function combine(results: Set<Activity>): Activity {
  if (results.size === 1) return [...results][0];
  return 'maybe';
}

function findWordEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !/[ \t\n\v\f\r]/.test(text[end])) end++;
  return end;
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /[ \t\n\v\f\r]/.test(text[e - 1])) e--;
  return e;
}

/** Skips a `$(...)`/`${...}` reference starting at `i` (a `$`); returns the index after it. */
function skipReference(text: string, i: number): number {
  const open = text[i + 1];
  if (open !== '(' && open !== '{') return Math.min(i + 2, text.length);
  const close = open === '(' ? ')' : '}';
  let count = 1;
  for (let j = i + 2; j < text.length; j++) {
    if (text[j] === open) count++;
    else if (text[j] === close && --count === 0) return j + 1;
  }
  return text.length;
}

/** First `char` outside variable references, or -1. */
function findTopLevel(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$') {
      i = skipReference(text, i) - 1;
      continue;
    }
    if (text[i] === char) return i;
  }
  return -1;
}

/** The `;` starting an inline recipe, or a `#` comment before it, outside references. */
function findRecipeSeparator(text: string): { index: number; char: ';' | '#' } | null {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$') {
      i = skipReference(text, i) - 1;
      continue;
    }
    if (c !== ';' && c !== '#') continue;
    let backslashes = 0;
    for (let k = i - 1; k >= 0 && text[k] === '\\'; k--) backslashes++;
    if (backslashes % 2 === 1) continue;
    return { index: i, char: c };
  }
  return null;
}

interface Operands {
  left: { start: number; end: number };
  right: { start: number; end: number };
  extraneous: boolean;
}

/** The two strings of `ifeq (a,b)`, `ifeq 'a' 'b'` or `ifeq "a" "b"`. */
function parseEqualityOperands(text: string, from: number): Operands | null {
  const open = text[from];
  if (open === '(') {
    let count = 0;
    let comma = -1;
    for (let i = from + 1; i < text.length; i++) {
      if (text[i] === '(') count++;
      else if (text[i] === ')') count--;
      else if (text[i] === ',' && count <= 0) {
        comma = i;
        break;
      }
    }
    if (comma < 0) return null;
    let leftEnd = comma;
    while (leftEnd > from + 1 && (text[leftEnd - 1] === ' ' || text[leftEnd - 1] === '\t')) leftEnd--;
    const rightStart = skipBlanks(text, comma + 1);
    count = 0;
    let close = -1;
    for (let i = rightStart; i < text.length; i++) {
      if (text[i] === '(') count++;
      else if (text[i] === ')') {
        if (count <= 0) {
          close = i;
          break;
        }
        count--;
      }
    }
    if (close < 0) return null;
    return { left: { start: from + 1, end: leftEnd }, right: { start: rightStart, end: close }, extraneous: text.slice(close + 1).trim() !== '' };
  }
  if (open !== '"' && open !== "'") return null;
  const leftEnd = text.indexOf(open, from + 1);
  if (leftEnd < 0) return null;
  const secondStart = skipBlanks(text, leftEnd + 1);
  const quote = text[secondStart];
  if (quote !== '"' && quote !== "'") return null;
  const rightEnd = text.indexOf(quote, secondStart + 1);
  if (rightEnd < 0) return null;
  return { left: { start: from + 1, end: leftEnd }, right: { start: secondStart + 1, end: rightEnd }, extraneous: text.slice(rightEnd + 1).trim() !== '' };
}
