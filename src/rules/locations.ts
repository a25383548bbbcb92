import { blocksAtPath } from '../parsers/hcl.js';
import type { Project } from '../project/project.js';
import type { Location } from '../types.js';

/**
 * Where project-wide Terramate settings live: the first line of the root `terramate` block,
 * or null when the project has none (the fix would create the file).
 */
export async function configRootLocation(project: Project): Promise<Location | null> {
  const config = await project.terramate();
  const file = config.terramateBlockFiles[0];
  if (!file) return null;
  const doc = await project.hcl(file);
  const block = doc ? blocksAtPath(doc.tree, ['terramate'])[0] : undefined;
  if (!block) return { file, range: null };
  return {
    file,
    range: {
      line: block.node.startPosition.row + 1,
      column: block.node.startPosition.column + 1,
      endLine: block.open.endPosition.row + 1,
      endColumn: block.open.endPosition.column + 1,
    },
  };
}
