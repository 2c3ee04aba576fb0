/** The Summary's list of every way the virtual disk's layout differs from the source's. */
import type { PlanSummary } from '../../shared/api.js';
import { useI18n, type I18n } from '../i18n/i18n-context.js';
import { layoutChanges, type LayoutChange } from '../model/layout-changes.js';

export function LayoutChanges({ plan }: { plan: PlanSummary }) {
  const i18n = useI18n();
  const changes = layoutChanges(plan);
  if (changes.length === 0) return null;
  return (
    <section className="card" aria-labelledby="layout-changes-title">
      <h3 id="layout-changes-title">{i18n.t.summary.layoutTitle}</h3>
      <ul className="change-list">
        {changes.map((change, index) => (
          <li key={index}>{describe(change, plan, i18n)}</li>
        ))}
      </ul>
    </section>
  );
}

function describe(change: LayoutChange, plan: PlanSummary, { t, size }: I18n): string {
  const words = t.summary.changes;
  if (change.kind === 'diskSize') return words.diskSize(size(change.from), size(change.to));
  if (change.kind === 'temporary') return words.temporary(size(change.bytes));
  const partition = plan.layout.table.partitions.find((p) => p.number === change.number);
  const name = `#${change.number} · ${partition?.typeName ?? ''}`;
  const renumbered = 'renumbered' in change ? change.renumbered : null;
  const becomes = renumbered === null ? '' : ` ${words.becomes(`#${renumbered}`)}`;
  switch (change.kind) {
    case 'remove':
      return words.remove(name);
    case 'renumber':
      return words.renumber(name, `#${change.to}`);
    case 'move':
      return words.move(name, size(change.from), size(change.to)) + becomes;
    case 'resize': {
      const tool = change.resizer === 'native' ? t.volumes.ferryName : change.resizer;
      return words.resize(name, size(change.from), size(change.to), tool) + becomes;
    }
    case 'grow':
      return words.grow(name, size(change.from), size(change.to)) + becomes;
  }
}
