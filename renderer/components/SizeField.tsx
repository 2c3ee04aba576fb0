/**
 * A size chosen with a number in MiB or GiB and, when it has an upper bound, a slider; both show
 * the same value. A number typed outside the bounds is flagged and, once the field is left,
 * brought back within them. Sizes handed on are whole MiB.
 */
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import {
  MiB,
  SIZE_UNITS,
  clampSize,
  inUnit,
  parseInUnit,
  preferredUnit,
  wholeMiB,
  type SizeBounds,
  type SizeUnit,
} from '../model/sizes.js';

export interface SizeFieldProps {
  /** The visible label; it names the number field and the slider. */
  label: ReactNode;
  unitLabel: string;
  value: number;
  /** Null: the size cannot be chosen, and is only shown. */
  bounds: SizeBounds | null;
  /** A slider needs an upper bound worth sliding to; the disk size has none. */
  slider: boolean;
  /** Ids of the texts that explain the bounds. */
  describedBy?: string;
  onChange(bytes: number): void;
}

export function SizeField(props: SizeFieldProps) {
  const { label, unitLabel, value, bounds, slider, describedBy, onChange } = props;
  const { t, size } = useI18n();
  const [unit, setUnit] = useState<SizeUnit>(() => preferredUnit(value));
  const [draft, setDraft] = useState<string | null>(null);
  const labelId = useId();
  const inputId = useId();
  const errorId = useId();

  const typed = draft === null ? null : parseInUnit(draft, unit);
  const fits = (bytes: number | null): bytes is number =>
    bytes !== null && bounds !== null && bytes >= bounds.min && bytes <= bounds.max;
  const invalid = draft !== null && !fits(typed === null ? null : wholeMiB(typed));

  const type = (text: string): void => {
    setDraft(text);
    const bytes = parseInUnit(text, unit);
    if (bytes !== null && fits(wholeMiB(bytes))) onChange(wholeMiB(bytes));
  };

  const commit = (): void => {
    if (draft !== null && typed !== null && bounds !== null) onChange(clampSize(typed, bounds));
    setDraft(null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') commit();
  };

  const disabled = bounds === null;
  const described = [describedBy, invalid ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="size-field">
      <label id={labelId} htmlFor={inputId} className="size-label">
        {label}
      </label>
      {slider && (
        <input
          type="range"
          className="size-slider"
          aria-labelledby={labelId}
          aria-describedby={describedBy}
          aria-valuetext={size(value)}
          min={(bounds?.min ?? value) / MiB}
          max={(bounds?.max ?? value) / MiB}
          step={1}
          value={Math.round(value / MiB)}
          disabled={disabled}
          onChange={(event) => {
            setDraft(null);
            onChange(Number(event.target.value) * MiB);
          }}
        />
      )}
      <span className="size-number">
        <input
          id={inputId}
          type="number"
          className="input"
          inputMode="decimal"
          min={bounds ? inUnit(bounds.min, unit) : undefined}
          max={bounds && Number.isFinite(bounds.max) ? inUnit(bounds.max, unit) : undefined}
          step={unit === 'MiB' ? 1 : 'any'}
          value={draft ?? String(inUnit(value, unit))}
          disabled={disabled}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={described === '' ? undefined : described}
          onChange={(event) => type(event.target.value)}
          onBlur={commit}
          onKeyDown={onKeyDown}
        />
        <select
          className="select"
          aria-label={unitLabel}
          value={unit}
          disabled={disabled}
          onChange={(event) => {
            setUnit(event.target.value as SizeUnit);
            setDraft(null);
          }}
        >
          {SIZE_UNITS.map((name) => (
            <option key={name} value={name}>
              {t.units[name]}
            </option>
          ))}
        </select>
      </span>
      {invalid && bounds && (
        <p id={errorId} className="field-error size-error">
          {Number.isFinite(bounds.max)
            ? t.sizes.between(size(bounds.min), size(bounds.max))
            : t.sizes.atLeast(size(bounds.min))}
        </p>
      )}
    </div>
  );
}
