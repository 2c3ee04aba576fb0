/**
 * Runs `job` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts: the job stops within a chunk
 * and removes what it had written, and the command exits 130. No `process.exit`: the job's own
 * clean-up must run.
 */
export async function cancellable<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    return await job(controller.signal);
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
