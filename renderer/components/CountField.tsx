/**
 * A whole number within bounds, typed or stepped with the arrow keys. A number outside them is
 * flagged and not handed on; leaving the field shows the value in force again.
 */
import { useId, useState } from 'react';

export interface CountFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  hint?: string;
  /** What the flag says when the text is no whole number within the bounds. */
  error: string;
  onChange(value: number): void;
}

export function CountField({ label, value, min, max, hint, error, onChange }: CountFieldProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const valid = (text: string): boolean => {
    const number = Number(text.trim());
    return /^\d+$/.test(text.trim()) && number >= min && number <= max;
  };
  const invalid = draft !== null && !valid(draft);
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={inputId} className="field-label">
        {label}
      </label>
      <input
        id={inputId}
        type="number"
        className="input count-input"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={draft ?? String(value)}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        onChange={(event) => {
          setDraft(event.target.value);
          if (valid(event.target.value)) onChange(Number(event.target.value.trim()));
        }}
        onBlur={() => setDraft(null)}
      />
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {invalid && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
