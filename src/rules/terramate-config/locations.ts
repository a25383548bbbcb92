import { blocksAtPath, nodeRange } from '../../parsers/hcl.js';
import type { Analysis } from '../../analysis/analysis.js';
import type { Location } from '../../types.js';

/** The header line (`type "label" {`) of the first top-level `type` block of an HCL file. */
export async function blockLocation(analysis: Analysis, file: string, type: string): Promise<Location> {
  const doc = await analysis.hcl(file);
  const block = doc?.body ? blocksAtPath(doc.tree, [type])[0] : undefined;
  if (!block) return { file, range: null };
  return { file, range: nodeRange(block.node, block.open) };
}

/**
 * Where project-wide Terramate settings live: the root `terramate` block, or null when the
 * project has none (the fix would create the file).
 */
export async function configRootLocation(analysis: Analysis): Promise<Location | null> {
  const file = (await analysis.terramate()).terramateBlockFiles[0];
  return file ? blockLocation(analysis, file, 'terramate') : null;
}
