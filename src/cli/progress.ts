import { NO_PROGRESS, type PhaseRunner } from '../engine/doctor.js';

/**
 * Runs `body` with a listr2 display of its phases on a TTY. Machine formats and non-TTY output
 * get none: listr2 would otherwise fall back to writing lines into stdout.
 */
export async function withProgress<T>(enabled: boolean, body: (progress: PhaseRunner) => Promise<T>): Promise<T> {
  if (!enabled) return body(NO_PROGRESS);
  // Loaded only for a display on a terminal (a pre-commit hook or CI has none).
  const { Listr } = await import('listr2');
  const progress: PhaseRunner = {
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
