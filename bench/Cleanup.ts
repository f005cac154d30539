/**
 * What a run must undo (servers, the local user, the temporary tree), undone
 * in reverse order exactly once: at the end, after a failure, or on Ctrl-C.
 */
export class Cleanup {
  private readonly steps: { readonly what: string; readonly undo: () => unknown }[] = [];
  private running: Promise<void> | null = null;

  defer(what: string, undo: () => unknown): void {
    this.steps.push({ what, undo });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.undo();
        } catch (err) {
          // One step failing must not leave the others undone.
          console.error(`cleanup: ${step.what}: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** On SIGINT, SIGTERM or SIGHUP: undo everything, then exit 130. */
  onSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping the servers and cleaning up`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }
}
