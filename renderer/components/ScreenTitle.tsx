/** The heading of a screen. It takes the focus when the screen opens, so a screen reader announces the new step. */
import { useEffect, useRef, type ReactNode } from 'react';

export const SCREEN_TITLE_ID = 'screen-title';

export function ScreenTitle({ children, lead }: { children: ReactNode; lead?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <header className="screen-header">
      <h2 id={SCREEN_TITLE_ID} ref={heading} tabIndex={-1}>
        {children}
      </h2>
      {lead && <p className="lead">{lead}</p>}
    </header>
  );
}
