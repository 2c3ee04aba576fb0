/** A radio button drawn as a card: a title, a description, and whatever else helps choosing. */
import { useId, type ReactNode } from 'react';

export interface ChoiceCardProps {
  name: string;
  value: string;
  checked: boolean;
  disabled?: boolean;
  onSelect(): void;
  title: ReactNode;
  description?: ReactNode;
  badges?: ReactNode;
  children?: ReactNode;
  compact?: boolean;
}

export function ChoiceCard(props: ChoiceCardProps) {
  const { name, value, checked, disabled, onSelect, title, description, badges, children } = props;
  const titleId = useId();
  const descriptionId = useId();
  const classes = ['choice-card'];
  if (checked) classes.push('is-checked');
  if (disabled) classes.push('is-disabled');
  if (props.compact) classes.push('is-compact');
  return (
    <label className={classes.join(' ')}>
      <input
        type="radio"
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
        onChange={onSelect}
        aria-labelledby={titleId}
        aria-describedby={description === undefined ? undefined : descriptionId}
      />
      <span className="choice-body">
        <span className="choice-heading">
          <span id={titleId} className="choice-title">
            {title}
          </span>
          {badges}
        </span>
        {description !== undefined && (
          <span id={descriptionId} className="choice-description">
            {description}
          </span>
        )}
        {children}
      </span>
    </label>
  );
}
