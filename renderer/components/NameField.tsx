/**
 * The output's name, which is the machine's too; the extension follows the format (or the OVA
 * package) and is shown, not typed.
 */
import { useId } from 'react';
import { destinationExtension } from '../model/output-files.js';
import { nameProblem } from '../model/paths.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';

export function NameField({ label, hint }: { label: string; hint?: string }) {
  const { t } = useI18n();
  const name = useWizard((s) => s.name);
  const extension = useWizard(destinationExtension);
  const setName = useWizard((s) => s.setName);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const problem = nameProblem(name);
  const describedBy = [hint ? hintId : null, problem ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={inputId} className="field-label">
        {label}
      </label>
      <div className="field-row">
        <input
          id={inputId}
          className="input grow"
          value={name}
          onChange={(event) => setName(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy === '' ? undefined : describedBy}
        />
        <span className="suffix mono">{extension}</span>
      </div>
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {problem && (
        <p id={errorId} className="field-error">
          {t.nameProblems[problem]}
        </p>
      )}
    </div>
  );
}
