/**
 * One conversion job, run in a worker thread so the engine host stays responsive. The host
 * starts it with a ConvertRequest as workerData, may post `cancel`, and hears back the plan,
 * progress, log lines and the outcome. A cancel aborts the conversion, which removes its
 * partial files; the worker then ends by itself.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ApiError, LogLine } from '../../shared/api.js';
import { toApiError } from '../rpc/api-error.js';
import { convert, type ConvertRequest } from './convert.js';
import { describePlan } from './plan-text.js';
import type { Progress } from './progress.js';

export interface JobWorkerData {
  request: ConvertRequest;
}

export type ToJobWorker = { type: 'cancel' };

export type FromJobWorker =
  | { type: 'plan'; outputFiles: string[] }
  | { type: 'progress'; progress: Progress }
  | { type: 'verifying' }
  | { type: 'log'; level: LogLine['level']; message: string }
  | { type: 'done'; files: string[]; bytes: number }
  | { type: 'failed'; error: ApiError };

if (parentPort) void runJob(parentPort, (workerData as JobWorkerData).request);

async function runJob(port: MessagePort, request: ConvertRequest): Promise<void> {
  const post = (message: FromJobWorker): void => port.postMessage(message);
  const controller = new AbortController();
  port.on('message', (message: ToJobWorker) => {
    if (message.type === 'cancel') controller.abort();
  });
  try {
    const result = await convert(
      request,
      {
        onPlan: (plan) => {
          post({ type: 'plan', outputFiles: plan.outputFiles });
          for (const line of describePlan(plan, {
            thick: request.thick ?? false,
            verify: request.verify ?? false,
          }).split('\n'))
            post({ type: 'log', level: 'info', message: line.trim() });
          for (const warning of plan.warnings)
            post({ type: 'log', level: 'warning', message: warning });
        },
        onProgress: (progress) => post({ type: 'progress', progress }),
        onWarning: (message) => post({ type: 'log', level: 'warning', message }),
        onVerifying: () => post({ type: 'verifying' }),
      },
      controller.signal,
    );
    post({ type: 'done', files: result.files, bytes: result.bytes });
  } catch (error) {
    post({ type: 'failed', error: toApiError(error) });
  } finally {
    // The port's listener is all that keeps the thread alive now; closing it lets it end.
    port.close();
  }
}
