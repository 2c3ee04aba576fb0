/** How full a volume is, as a bar and in words. */
export function UsageBar({
  label,
  used,
  size,
  text,
}: {
  label: string;
  used: number;
  size: number;
  text: string;
}) {
  const percent = size > 0 ? Math.round(Math.min(1, used / size) * 100) : 0;
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={text}
      className={percent >= 90 ? 'usage usage-full' : 'usage'}
    >
      <div className="usage-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
