/** Asks before something that cannot be undone; the safe answer has the focus. */
import { Dialog } from './Dialog.js';

export interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  keepLabel: string;
  onConfirm(): void;
  onDismiss(): void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, message, confirmLabel, keepLabel, onConfirm, onDismiss } = props;
  return (
    <Dialog
      title={title}
      onDismiss={onDismiss}
      actions={
        <>
          <button type="button" className="button danger" onClick={onConfirm}>
            {confirmLabel}
          </button>
          <button type="button" className="button primary" data-autofocus onClick={onDismiss}>
            {keepLabel}
          </button>
        </>
      }
    >
      <p>{message}</p>
    </Dialog>
  );
}
