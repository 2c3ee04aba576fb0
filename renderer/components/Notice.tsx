/** A boxed message. Errors are announced at once; the others are read in their place. */
import type { ReactNode } from 'react';

export type Tone = 'info' | 'success' | 'warning' | 'error';

export function Notice({
  tone,
  title,
  children,
}: {
  tone: Tone;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      {title && <p className="notice-title">{title}</p>}
      {children}
    </div>
  );
}
