/** A labelled progress bar; without a fraction it shows activity of unknown length. */
export function ProgressBar({
  label,
  fraction,
  valueText,
}: {
  label: string;
  fraction: number | null;
  valueText?: string;
}) {
  const percent = fraction === null ? null : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={valueText}
      className={percent === null ? 'progress progress-indeterminate' : 'progress'}
    >
      <div
        className="progress-fill"
        style={percent === null ? undefined : { width: `${percent}%` }}
      />
    </div>
  );
}
