// A hang detector for code that runs in this thread. An input that loops synchronously in a
// parser blocks the event loop, so no timer of this thread (nor Jest's test timeout) can fire:
// a worker thread keeps the clock instead. Armed before each input with the input's
// description, it writes that input to a file and to stderr, then kills this process (the Jest
// worker, which Jest reports as a crashed test file) once the limit passes. Disarmed in time,
// it does nothing.
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort } = require('node:worker_threads');
const { writeFileSync, writeSync } = require('node:fs');
let timer;
parentPort.on('message', (message) => {
  clearTimeout(timer);
  if (message.type !== 'arm') return;
  timer = setTimeout(() => {
    try { writeFileSync(message.dumpFile, message.dump); } catch {}
    try { writeSync(2, '\\n' + message.text + '\\n'); } catch {}
    process.kill(process.pid, 'SIGKILL');
  }, message.ms);
});
`;

export class Watchdog {
  private worker: Worker | null = null;

  /** After `ms`, `text` goes to stderr and `dump` to `dumpFile`, and the process is killed. */
  arm(ms: number, text: string, dumpFile: string, dump: string): void {
    if (!this.worker) {
      this.worker = new Worker(WORKER, { eval: true });
      this.worker.unref();
    }
    this.worker.postMessage({ type: 'arm', ms, text, dumpFile, dump });
  }

  disarm(): void {
    this.worker?.postMessage({ type: 'disarm' });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}
