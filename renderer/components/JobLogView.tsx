/** A job's log as it grows; the newest line stays in view. */
import { useEffect, useRef } from 'react';
import type { LogLine } from '../../shared/api.js';
import { useI18n } from '../i18n/i18n-context.js';

export function JobLogView({ lines, label }: { lines: readonly LogLine[]; label: string }) {
  const { t, time } = useI18n();
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [lines.length]);
  if (lines.length === 0) return <p className="muted">{t.log.empty}</p>;
  return (
    <ol ref={list} className="log" role="log" aria-label={label} tabIndex={0}>
      {lines.map((line, index) => (
        <li key={index} className={`log-line log-${line.level}`}>
          <time dateTime={line.at}>{time(line.at)}</time>
          <span className="log-level">{t.log.levels[line.level]}</span>
          <span className="log-message">{line.message}</span>
        </li>
      ))}
    </ol>
  );
}
