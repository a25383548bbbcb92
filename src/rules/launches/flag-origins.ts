// Where the sharing flags of an init launch come from in the Makefiles: each variable on the
// path from the recipe to the definition that writes them, with the span to show.
import type { InitLaunch } from '../../analysis/launches.js';
import type { Analysis } from '../../analysis/analysis.js';
import type { Location } from '../../types.js';

export type FlagSource =
  | { kind: 'defines'; location: Location; variable: string; flags: string[] }
  | { kind: 'passes-on'; location: Location; variable: string; from: string };

/** The variable definitions a launch's flags pass through, outermost first, each once. */
export function flagSources(analysis: Analysis, launch: InitLaunch): FlagSource[] {
  const definitions = launch.make?.definitions ?? [];
  const sources = new Map<string, FlagSource>();
  const place = (file: string, start: number, end: number): Location | null => {
    const source = analysis.files.read(file);
    return source.ok ? { file, range: source.file.lines.range(start, end) } : null;
  };
  for (const origin of launch.sharing) {
    origin.via.forEach((link, index) => {
      const definedAt = link.definedAt;
      if (!definedAt) return;
      const definition = definitions.find((candidate) => candidate.name === link.name && candidate.file === definedAt.file && candidate.line === definedAt.line);
      if (!definition) return;
      const key = `${definition.file}\0${definition.line}\0${definition.name}`;
      const next = origin.via[index + 1];
      if (next) {
        if (sources.has(key)) return;
        const location = place(next.refFile, next.refStart, next.refEnd);
        if (location) sources.set(key, { kind: 'passes-on', location, variable: link.name, from: next.name });
        return;
      }
      const text = analysis.text(definition.file) ?? '';
      const value = text.slice(definition.valueStart, definition.valueEnd);
      const at = value.indexOf(origin.written);
      if (at < 0) return;
      const start = definition.valueStart + at;
      const end = start + origin.written.length;
      const known = sources.get(key);
      if (known?.kind === 'defines' && known.location.range) {
        // Several flags from one definition: one span from the first to the last.
        const lines = analysis.files.read(definition.file);
        if (!lines.ok) return;
        const range = known.location.range;
        const knownStart = lines.file.lines.lineStart(range.line) + range.column - 1;
        const knownEnd = lines.file.lines.lineStart(range.endLine) + range.endColumn - 1;
        const location = place(definition.file, Math.min(knownStart, start), Math.max(knownEnd, end));
        if (location) sources.set(key, { ...known, location, flags: [...known.flags, origin.written] });
        return;
      }
      const location = place(definition.file, start, end);
      if (location) sources.set(key, { kind: 'defines', location, variable: link.name, flags: [origin.written] });
    });
  }
  return [...sources.values()];
}
