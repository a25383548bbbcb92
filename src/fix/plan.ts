// Decides which fixes of one pass can be applied together, ESLint style: a fix is taken
// whole or not at all, and one that collides with an already taken fix waits for the next
// pass (where it is recomputed against the new text).
import path from 'node:path';
import type { CreateFile, Fix, MovePath, TextEdit } from '../types.js';
import type { Snapshot } from '../analysis/snapshot.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { realRoot, whyOutside } from './confine.js';

export interface FileRewrite {
  file: string;
  before: string;
  after: string;
}

export interface SetAsideFix {
  fix: Fix;
  reason: string;
}

export interface FixPlan {
  /** One entry per file, sorted by path; `before` is the text the fixes' offsets refer to. */
  rewrites: FileRewrite[];
  creates: CreateFile[];
  /** Sorted so that parents come first. */
  directories: string[];
  moves: MovePath[];
  applied: Fix[];
  /** Collides with a fix taken in this pass; worth retrying on the next pass. */
  deferred: SetAsideFix[];
  /** Can never apply as given (malformed, stale offsets, file unknown, ...). */
  rejected: SetAsideFix[];
}

interface PreparedFix {
  fix: Fix;
  edits: TextEdit[];
  creates: CreateFile[];
  directories: string[];
  moves: MovePath[];
}

interface Owned<T> {
  change: T;
  owner: Fix;
}

export function planFixes(fixes: readonly Fix[], snapshot: Snapshot): FixPlan {
  const describe = (file: string): string => displayPath(snapshot.root, file);
  const rejected: SetAsideFix[] = [];
  const prepared: PreparedFix[] = [];
  for (const fix of fixes) {
    const result = prepareFix(fix, snapshot, describe);
    if (typeof result === 'string') rejected.push({ fix, reason: result });
    else prepared.push(result);
  }
  prepared.sort(compareByFirstEdit);

  const taken = new TakenChanges(describe);
  const applied: Fix[] = [];
  const deferred: SetAsideFix[] = [];
  for (const candidate of prepared) {
    const conflict = taken.conflictWith(candidate);
    if (conflict !== null) {
      deferred.push({ fix: candidate.fix, reason: conflict });
      continue;
    }
    taken.take(candidate);
    applied.push(candidate.fix);
  }

  return {
    rewrites: taken.rewrites(snapshot),
    creates: [...taken.creates.values()].map((owned) => owned.change).sort(byKey((c) => c.file)),
    directories: [...taken.directories].sort(compareParentsFirst),
    moves: taken.moves.map((owned) => owned.change),
    applied,
    deferred,
    rejected,
  };
}

export function isEmptyPlan(plan: FixPlan): boolean {
  return (
    plan.rewrites.every((rewrite) => rewrite.before === rewrite.after) &&
    plan.creates.length === 0 &&
    plan.directories.length === 0 &&
    plan.moves.length === 0
  );
}

function prepareFix(fix: Fix, snapshot: Snapshot, describe: (file: string) => string): PreparedFix | string {
  const prepared: PreparedFix = { fix, edits: [], creates: [], directories: [], moves: [] };
  for (const change of fix.changes) {
    switch (change.kind) {
      case 'text': {
        const edit: TextEdit = { ...change, file: path.resolve(change.file) };
        const text = snapshot.textOf(edit.file);
        if (text === undefined) return `${describe(edit.file)} was not read, so its offsets mean nothing`;
        if (snapshot.fingerprintOf(edit.file)?.lossless === false) {
          return `${describe(edit.file)} is not valid UTF-8; rewriting it would corrupt it`;
        }
        if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start < 0 || edit.start > edit.end) {
          return `invalid edit range [${edit.start}, ${edit.end}) in ${describe(edit.file)}`;
        }
        if (edit.end > text.length) {
          return `edit [${edit.start}, ${edit.end}) runs past the end of ${describe(edit.file)} (${text.length} characters)`;
        }
        prepared.edits.push(edit);
        break;
      }
      case 'create': {
        const create: CreateFile = { ...change, file: path.resolve(change.file) };
        if (snapshot.textOf(create.file) !== undefined || snapshot.fingerprintOf(create.file)) {
          return `${describe(create.file)} already exists`;
        }
        prepared.creates.push(create);
        break;
      }
      case 'mkdir':
        prepared.directories.push(path.resolve(change.dir));
        break;
      case 'move':
        prepared.moves.push({ kind: 'move', from: path.resolve(change.from), to: path.resolve(change.to) });
        break;
    }
  }
  if (fix.safe) {
    const unsafe = unsafeChangeIn(prepared, snapshot.root, describe);
    if (unsafe !== null) return `marked safe but ${unsafe}`;
  }
  const ownOverlap = dedupeOwnEdits(prepared, describe);
  if (ownOverlap !== null) return ownOverlap;
  return prepared;
}

function unsafeChangeIn(prepared: PreparedFix, root: string, describe: (file: string) => string): string | null {
  if (prepared.directories.length > 0) return `makes directory ${describe(prepared.directories[0])}`;
  if (prepared.moves.length > 0) return `moves ${describe(prepared.moves[0].from)}`;
  const files = [...prepared.edits.map((e) => e.file), ...prepared.creates.map((c) => c.file)];
  for (const file of files) {
    if (!isInsideRoot(root, file)) return `changes ${file}, outside the project`;
  }
  // Named inside, but a link on the way may lead out: judged by where the write would land.
  const resolvedRoot = realRoot(root);
  for (const file of new Set(files)) {
    const outside = whyOutside(file, root, resolvedRoot);
    if (outside !== null) return outside;
  }
  return null;
}

/** Identical repeats inside one fix collapse; real overlaps make the fix malformed. */
function dedupeOwnEdits(prepared: PreparedFix, describe: (file: string) => string): string | null {
  const sorted = [...prepared.edits].sort(compareEdits);
  const kept: TextEdit[] = [];
  for (const edit of sorted) {
    const previous = kept[kept.length - 1];
    if (previous !== undefined && previous.file === edit.file) {
      if (isSameEdit(previous, edit)) continue;
      if (collide(previous, edit)) return `its own edits overlap in ${describe(edit.file)}`;
    }
    kept.push(edit);
  }
  prepared.edits = kept;
  const createdFiles = new Map<string, CreateFile>();
  for (const create of prepared.creates) {
    const earlier = createdFiles.get(create.file);
    if (earlier !== undefined && !isSameCreate(earlier, create)) {
      return `it creates ${describe(create.file)} twice with different content`;
    }
    createdFiles.set(create.file, create);
  }
  prepared.creates = [...createdFiles.values()];
  if (prepared.edits.some((edit) => createdFiles.has(edit.file))) {
    return 'it both creates and edits the same file';
  }
  return null;
}

class TakenChanges {
  readonly edits = new Map<string, Owned<TextEdit>[]>();
  readonly creates = new Map<string, Owned<CreateFile>>();
  readonly directories = new Set<string>();
  readonly moves: Owned<MovePath>[] = [];

  constructor(private readonly describe: (file: string) => string) {}

  conflictWith(candidate: PreparedFix): string | null {
    for (const edit of candidate.edits) {
      const created = this.creates.get(edit.file);
      if (created) return `${this.describe(edit.file)} is created by "${created.owner.description}"`;
      for (const other of this.edits.get(edit.file) ?? []) {
        if (isSameEdit(edit, other.change)) continue;
        if (collide(edit, other.change)) {
          return `its edit in ${this.describe(edit.file)} overlaps one of "${other.owner.description}"`;
        }
      }
      const mover = this.moveTouching(edit.file);
      if (mover) return `${this.describe(edit.file)} is moved by "${mover.owner.description}"`;
    }
    for (const create of candidate.creates) {
      const other = this.creates.get(create.file);
      if (other && !isSameCreate(create, other.change)) {
        return `"${other.owner.description}" creates ${this.describe(create.file)} with other content`;
      }
      if (this.edits.has(create.file)) return `${this.describe(create.file)} is edited by another fix`;
      const mover = this.moveTouching(create.file);
      if (mover) return `${this.describe(create.file)} is moved by "${mover.owner.description}"`;
    }
    for (const move of candidate.moves) {
      for (const other of this.moves) {
        if (other.change.from === move.from && other.change.to === move.to) continue;
        const endpoints = [other.change.from, other.change.to];
        if (endpoints.some((p) => isInsideRoot(move.from, p) || isInsideRoot(p, move.from) || isInsideRoot(move.to, p) || isInsideRoot(p, move.to))) {
          return `its move of ${this.describe(move.from)} collides with "${other.owner.description}"`;
        }
      }
      const touched = [...this.edits.keys(), ...this.creates.keys()];
      const hit = touched.find((file) => isInsideRoot(move.from, file) || isInsideRoot(move.to, file));
      if (hit !== undefined) return `it moves ${this.describe(move.from)}, which holds ${this.describe(hit)}, changed by another fix`;
    }
    return null;
  }

  take(candidate: PreparedFix): void {
    for (const edit of candidate.edits) {
      const list = this.edits.get(edit.file) ?? [];
      if (!list.some((other) => isSameEdit(edit, other.change))) list.push({ change: edit, owner: candidate.fix });
      this.edits.set(edit.file, list);
    }
    for (const create of candidate.creates) {
      if (!this.creates.has(create.file)) this.creates.set(create.file, { change: create, owner: candidate.fix });
    }
    for (const dir of candidate.directories) this.directories.add(dir);
    for (const move of candidate.moves) {
      const duplicate = this.moves.some((other) => other.change.from === move.from && other.change.to === move.to);
      if (!duplicate) this.moves.push({ change: move, owner: candidate.fix });
    }
  }

  rewrites(snapshot: Snapshot): FileRewrite[] {
    const result: FileRewrite[] = [];
    for (const [file, owned] of this.edits) {
      const before = snapshot.textOf(file) ?? '';
      result.push({ file, before, after: applyEdits(before, owned.map((o) => o.change)) });
    }
    return result.sort(byKey((r) => r.file));
  }

  private moveTouching(file: string): Owned<MovePath> | undefined {
    return this.moves.find((m) => isInsideRoot(m.change.from, file) || isInsideRoot(m.change.to, file));
  }
}

/** Applies non-colliding edits; an insertion at the start of a replaced range goes before it. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = [...edits].sort(compareEdits);
  let result = '';
  let cursor = 0;
  for (const edit of ordered) {
    result += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/**
 * Two edits of one file collide when their ranges share a character, when an insertion falls
 * strictly inside a replaced range, or when both insert at the same offset (the order of the
 * two insertions would be a guess). Touching ranges do not collide.
 */
function collide(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

function isSameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;
}

function isSameCreate(a: CreateFile, b: CreateFile): boolean {
  return a.file === b.file && a.text === b.text && a.mode === b.mode;
}

function compareEdits(a: TextEdit, b: TextEdit): number {
  return compareStrings(a.file, b.file) || a.start - b.start || a.end - b.end;
}

/** ESLint's order: by where the fix starts, so the earlier fix in a file wins a collision. */
function compareByFirstEdit(a: PreparedFix, b: PreparedFix): number {
  // prepareFix leaves each fix's edits sorted.
  const ea = a.edits[0];
  const eb = b.edits[0];
  if (ea === undefined || eb === undefined) return (ea === undefined ? 1 : 0) - (eb === undefined ? 1 : 0);
  return compareEdits(ea, eb);
}

function compareParentsFirst(a: string, b: string): number {
  return a.split(path.sep).length - b.split(path.sep).length || compareStrings(a, b);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareStrings(key(a), key(b));
}
