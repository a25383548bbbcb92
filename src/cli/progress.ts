import { Listr } from 'listr2';

/** Reports the phases of a run; a no-op when no display is wanted. */
export interface Progress {
  phase<T>(title: string, work: (status: (text: string) => void) => Promise<T>): Promise<T>;
}

const silent: Progress = { phase: (_title, work) => work(() => {}) };

/**
 * Runs `body` with a listr2 display of its phases on a TTY. Machine formats and non-TTY output
 * get none: listr2 would otherwise fall back to writing lines into stdout.
 */
export async function withProgress<T>(enabled: boolean, body: (progress: Progress) => Promise<T>): Promise<T> {
  if (!enabled) return body(silent);
  const progress: Progress = {
    async phase(title, work) {
      let result: Awaited<ReturnType<typeof work>> | undefined;
      await new Listr([{ title, task: async (_context, task) => void (result = await work((text) => (task.output = text))) }], {
        renderer: 'default',
        rendererOptions: { clearOutput: true },
        exitOnError: true,
        registerSignalListeners: false,
      }).run();
      return result as Awaited<ReturnType<typeof work>>;
    },
  };
  return body(progress);
}
