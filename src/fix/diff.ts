// `--fix-dry-run` output: a unified diff of a plan that `git apply` accepts for project files.
import { createRequire } from 'node:module';
import type * as Diff from 'diff';
import path from 'node:path';
import { isInsideRoot } from '../util/path.js';
import type { FixPlan } from './plan.js';

const CONTEXT_LINES = 3;

const require = createRequire(import.meta.url);
let loaded: typeof Diff | undefined;

/** The `diff` package, loaded for the first diff (only --fix-dry-run renders one). */
function diffModule(): typeof Diff {
  loaded ??= require('diff') as typeof Diff;
  return loaded;
}

/**
 * Rewrites and creations as git-style patches (paths relative to `root` with `a/`/`b/`).
 * Files outside the project keep their absolute path and get no `diff --git` header (git
 * would refuse them anyway). Directories and moves cannot be expressed as a patch: they are
 * listed first as `# ` lines, which `git apply` skips.
 */
export function renderPlanDiff(plan: FixPlan, root: string): string {
  const parts: string[] = [];
  for (const dir of plan.directories) parts.push(`# mkdir -p ${dir}\n`);
  for (const move of plan.moves) parts.push(`# mv ${move.from} ${move.to}\n`);
  const files = [
    ...plan.rewrites.filter((r) => r.before !== r.after).map((r) => ({ file: r.file, before: r.before as string | null, after: r.after, mode: undefined as number | undefined })),
    ...plan.creates.map((c) => ({ file: c.file, before: null, after: c.text, mode: c.mode })),
  ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const entry of files) parts.push(renderFileDiff(entry.file, entry.before, entry.after, root, entry.mode));
  return parts.join('');
}

/** One file's patch; `before === null` means the file is created. Empty string when equal. */
export function renderFileDiff(file: string, before: string | null, after: string, root: string, mode?: number): string {
  if (before === after) return '';
  const inside = isInsideRoot(root, path.resolve(file));
  const shown = inside ? path.relative(root, path.resolve(file)).split(path.sep).join('/') : path.resolve(file);
  const oldName = before === null ? '/dev/null' : inside ? `a/${shown}` : shown;
  const newName = inside ? `b/${shown}` : shown;
  let header = '';
  if (inside) {
    header += `diff --git ${quoteIfNeeded(`a/${shown}`)} ${quoteIfNeeded(`b/${shown}`)}\n`;
    if (before === null) header += `new file mode ${(mode ?? 0o644) & 0o111 ? '100755' : '100644'}\n`;
  }
  // git writes no ---/+++ lines for an empty new file: the header alone creates it.
  if (before === null && after === '') return inside ? header : `--- /dev/null\n+++ ${newName}\n`;
  const patch = diffModule().structuredPatch(oldName, newName, before ?? '', after, undefined, undefined, { context: CONTEXT_LINES });
  let body = `--- ${quoteIfNeeded(oldName)}\n+++ ${quoteIfNeeded(newName)}\n`;
  for (const hunk of patch.hunks) {
    // An empty side is addressed as "the line before line 1", i.e. 0.
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    body += `@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@\n`;
    for (const line of hunk.lines) body += `${line}\n`;
  }
  return header + body;
}

/** git quotes names with special characters C-style; plain names pass unchanged. */
function quoteIfNeeded(name: string): string {
  if (!/[\x00-\x1f\x7f"\\]|[^\x00-\x7f]/.test(name)) return name;
  let quoted = '"';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (char === '"' || char === '\\') quoted += `\\${char}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\t') quoted += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}
