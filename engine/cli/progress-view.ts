import { formatSize } from '../../shared/units.js';
import type { Progress } from '../jobs/progress.js';
import type { Terminal } from './terminal.js';

/** How progress reaches a person: a redrawn bar on a terminal, a line now and then in a log. */
export interface ProgressView {
  update(progress: Progress): void;
  end(): void;
}

const BAR_WIDTH = 30;
const LOG_INTERVAL_MS = 5_000;
/** NDJSON progress events at most this often; the last one is always sent. */
const JSON_PROGRESS_INTERVAL_MS = 250;

/** A job's progress as its command shows it: NDJSON events with --json, else for a person. */
export function jobProgressView(terminal: Terminal, json: boolean): ProgressView {
  if (json) return jsonEvents(terminal);
  return process.stderr.isTTY
    ? terminalBar(process.stderr)
    : logLines((line) => terminal.err(line));
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function describeProgress(p: Progress): string {
  const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const eta = p.eta === null ? '' : `, ${formatDuration(p.eta)} left`;
  const rate = p.rate > 0 ? `, ${formatSize(p.rate)}/s` : '';
  return `${percent}% ${formatSize(p.done)} of ${formatSize(p.total)}${rate}${eta}`;
}

/** A bar redrawn in place on stderr. */
export function terminalBar(stream: NodeJS.WriteStream): ProgressView {
  let drawn = false;
  return {
    update(p) {
      const filled = p.total > 0 ? Math.round((p.done / p.total) * BAR_WIDTH) : BAR_WIDTH;
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      stream.write(`\r${bar} ${describeProgress(p)}\x1b[K`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}

/** A plain line every few seconds, for logs and pipes. */
export function logLines(
  write: (line: string) => void,
  now: () => number = Date.now,
): ProgressView {
  let last = -Infinity;
  return {
    update(p) {
      if (now() - last < LOG_INTERVAL_MS) return;
      last = now();
      write(describeProgress(p));
    },
    end() {},
  };
}

/** `{"type":"progress",...}` lines on stdout, a few a second, and always the last one. */
function jsonEvents(terminal: Terminal): ProgressView {
  let last = -Infinity;
  let latest: Progress | null = null;
  const emit = (p: Progress): void =>
    terminal.out(
      JSON.stringify({
        type: 'progress',
        done: p.done,
        total: p.total,
        rate: Math.round(p.rate),
        eta: p.eta,
      }),
    );
  return {
    update(p) {
      latest = p;
      if (Date.now() - last < JSON_PROGRESS_INTERVAL_MS && p.done < p.total) return;
      last = Date.now();
      emit(p);
      latest = null;
    },
    end() {
      if (latest) emit(latest);
      latest = null;
    },
  };
}
