/**
 * The browser console's file and folder picker: it lists folders of the engine's machine
 * through `browse`, since a web page cannot see that machine's files.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { FolderEntry, FolderListing } from '../../shared/api.js';
import { useI18n } from '../i18n/i18n-context.js';
import { LOADING, failed, ready, type Loadable } from '../store/loadable.js';
import { useFerry } from '../store/wizard-context.js';
import { Dialog } from './Dialog.js';
import { Icon } from './Icon.js';
import { Notice } from './Notice.js';

export type BrowseMode = 'file' | 'folder';

export interface BrowseDialogProps {
  mode: BrowseMode;
  title: string;
  /** Where to open; the engine's default (the home folder) when empty. */
  start: string;
  onChoose(path: string): void;
  onDismiss(): void;
}

export function BrowseDialog({ mode, title, start, onChoose, onDismiss }: BrowseDialogProps) {
  const api = useFerry();
  const { t } = useI18n();
  const [listing, setListing] = useState<Loadable<FolderListing>>(LOADING);
  const [typed, setTyped] = useState(start);
  const latest = useRef(0);
  const pathId = useId();

  const open = async (path: string): Promise<void> => {
    const request = ++latest.current;
    setListing(LOADING);
    try {
      const result = await api.request('browse', path.trim() === '' ? {} : { path: path.trim() });
      if (request !== latest.current) return;
      setListing(ready(result));
      setTyped(result.path);
    } catch (error) {
      if (request === latest.current) setListing(failed(error));
    }
  };

  // Opens once where the dialog starts; later moves come from the user.
  useEffect(() => {
    void open(start);
  }, []);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    // React bubbles events through portals to the form the dialog was opened from.
    event.stopPropagation();
    void open(typed);
  };

  const current = listing.status === 'ready' ? listing.value : null;

  return (
    <Dialog
      title={title}
      onDismiss={onDismiss}
      wide
      actions={
        <>
          {mode === 'folder' && (
            <button
              type="button"
              className="button primary"
              disabled={current === null}
              onClick={() => current && onChoose(current.path)}
            >
              {t.browse.useFolder}
            </button>
          )}
          <button type="button" className="button" onClick={onDismiss}>
            {t.browse.close}
          </button>
        </>
      }
    >
      <form className="browse-bar" onSubmit={submit}>
        <button
          type="button"
          className="button icon-button"
          disabled={!current?.parent}
          onClick={() => current?.parent && void open(current.parent)}
          aria-label={t.browse.up}
          title={t.browse.up}
        >
          <Icon name="up" />
        </button>
        <label className="visually-hidden" htmlFor={pathId}>
          {t.browse.pathLabel}
        </label>
        <input
          id={pathId}
          className="input grow"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <button type="submit" className="button">
          {t.browse.go}
        </button>
      </form>
      {listing.status === 'loading' && (
        <p role="status" className="muted">
          {t.browse.loading}
        </p>
      )}
      {listing.status === 'failed' && <Notice tone="error">{listing.error}</Notice>}
      {current && (
        <EntryList
          entries={current.entries}
          mode={mode}
          onOpen={(entry) => void open(entry.path)}
          onChoose={(entry) => onChoose(entry.path)}
        />
      )}
    </Dialog>
  );
}

function EntryList({
  entries,
  mode,
  onOpen,
  onChoose,
}: {
  entries: FolderEntry[];
  mode: BrowseMode;
  onOpen(entry: FolderEntry): void;
  onChoose(entry: FolderEntry): void;
}) {
  const { t, size } = useI18n();
  if (entries.length === 0) return <p className="muted">{t.browse.empty}</p>;
  const sorted = [...entries].sort(
    (a, b) =>
      Number(b.kind === 'folder') - Number(a.kind === 'folder') || a.name.localeCompare(b.name),
  );
  return (
    <ul className="browse-list" aria-label={t.browse.entries}>
      {sorted.map((entry) => {
        const choosable = mode === 'file' && (entry.kind === 'file' || entry.kind === 'device');
        const icon = entry.kind === 'folder' ? 'folder' : entry.kind === 'device' ? 'disk' : 'file';
        const content = (
          <>
            <Icon name={icon} />
            <span className="browse-name">{entry.name}</span>
            {entry.kind !== 'folder' && <span className="browse-size">{size(entry.size)}</span>}
          </>
        );
        return (
          <li key={entry.path}>
            {entry.kind === 'folder' ? (
              <button type="button" className="browse-entry" onClick={() => onOpen(entry)}>
                {content}
              </button>
            ) : choosable ? (
              <button type="button" className="browse-entry" onClick={() => onChoose(entry)}>
                {content}
              </button>
            ) : (
              <span className="browse-entry is-inert">{content}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
