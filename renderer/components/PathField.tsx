/** A path typed or picked: the native dialog in Electron, the engine's folder listing in a browser. */
import { useId, useState } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { useFerry } from '../store/wizard-context.js';
import { BrowseDialog, type BrowseMode } from './BrowseDialog.js';

export interface PathFieldProps {
  label: string;
  value: string;
  mode: BrowseMode;
  browseTitle: string;
  hint?: string;
  error?: string | null;
  onChange(value: string): void;
  /** A path picked with Browse. */
  onChoose(path: string): void;
  onBlur?(): void;
}

export function PathField(props: PathFieldProps) {
  const { label, value, mode, browseTitle, hint, error, onChange, onChoose, onBlur } = props;
  const { t } = useI18n();
  const { shell } = useFerry();
  const [browsing, setBrowsing] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  const browse = async (): Promise<void> => {
    if (!shell) {
      setBrowsing(true);
      return;
    }
    const chosen =
      mode === 'file'
        ? await shell.chooseFile({ title: browseTitle })
        : await shell.chooseFolder({ title: browseTitle });
    if (chosen !== null) onChoose(chosen);
  };

  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');

  return (
    <div className="field">
      <label htmlFor={inputId} className="field-label">
        {label}
      </label>
      <div className="field-row">
        <input
          id={inputId}
          className="input grow mono"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onBlur}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy === '' ? undefined : describedBy}
        />
        <button type="button" className="button" onClick={() => void browse()}>
          {t.browse.button}
        </button>
      </div>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {browsing && (
        <BrowseDialog
          mode={mode}
          title={browseTitle}
          start={mode === 'folder' ? value : ''}
          onDismiss={() => setBrowsing(false)}
          onChoose={(path) => {
            setBrowsing(false);
            onChoose(path);
          }}
        />
      )}
    </div>
  );
}
