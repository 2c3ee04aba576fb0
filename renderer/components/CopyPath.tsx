/** A path shown with a button that copies it: the browser cannot open the engine's folders. */
import { useState } from 'react';
import { useI18n } from '../i18n/i18n-context.js';

export function CopyPath({ path }: { path: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(path);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="copy-path">
      <code className="mono">{path}</code>
      <button type="button" className="button" onClick={() => void copy()}>
        {t.progress.copyPath}
      </button>
      <span role="status" className="muted">
        {copied === 'copied'
          ? t.progress.copiedPath
          : copied === 'failed'
            ? t.progress.copyFailed
            : ''}
      </span>
    </div>
  );
}
