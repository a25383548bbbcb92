import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Analysis, RunSession } from '../../src/analysis/analysis.js';
import { ResultStore } from '../../src/cache/results.js';
import { copyFixture, tempDir } from '../support/project.js';

// The passes of a --fix run share one provider inspection while what it looks at is unchanged
// (broken binaries are started once, quarantine paths stay), and inspect again when it changed.
function session(dir: string): RunSession {
  return new RunSession(
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('tm-doctor-home-') },
    { noExec: true, handshakeTimeoutMs: 10_000, noCache: true },
    ResultStore.disabled(),
    Analysis.rootFor(dir),
  );
}

describe('provider inspection across the passes of a run', () => {
  it('is shared while its inputs are unchanged, and made again when a lock file changes', async () => {
    const dir = copyFixture('seed-blog');
    const run = session(dir);
    const first = await (await Analysis.load({ dir, session: run })).providerInspection();
    // An overlay that leaves every input alone (a Makefile edit) reuses it.
    const makefile = join(dir, 'Makefile');
    const unrelated = new Map([[makefile, `${run.snapshot.textOf(makefile) ?? ''}\n# edited\n`]]);
    const second = await (await Analysis.load({ dir, session: run, overlay: unrelated })).providerInspection();
    expect(second).toBe(first);
    expect(run.inspections).toHaveLength(1);
    // A lock entry changed by an earlier pass is another input.
    const lock = (await (await Analysis.load({ dir, session: run })).stacks()).map((stack) => join(stack.dir, '.terraform.lock.hcl')).find((file) => run.snapshot.textOf(file)?.includes('h1:'));
    expect(lock).toBeDefined();
    const changed = new Map([[lock as string, (run.snapshot.textOf(lock as string) ?? '').replace(/"h1:[^"]*"/, '"h1:changed="')]]);
    const third = await (await Analysis.load({ dir, session: run, overlay: changed })).providerInspection();
    expect(third).not.toBe(first);
    expect(run.inspections).toHaveLength(2);
  });
});
