import { useCallback, useId, useRef, useState, type ReactNode } from 'react';
import { useModal } from './modal.js';

export interface ConfirmOptions {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** A destructive action: the confirm button is red. */
  danger?: boolean;
}

interface ConfirmDialogProps extends ConfirmOptions {
  onClose(confirmed: boolean): void;
}

/**
 * A modal <dialog>: the browser traps focus and closes it on Escape. Cancel takes focus first, so
 * a stray Enter does not confirm a destructive action; focus returns to where it was afterwards.
 */
function ConfirmDialog({ title, message, confirmLabel, danger, onClose }: ConfirmDialogProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  const dialog = useModal(() => cancel.current?.focus());
  const id = useId();

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-message`}
      onCancel={(event) => {
        event.preventDefault();
        onClose(false);
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-message`} className="dialog-message">
        {message}
      </div>
      <div className="actions actions-end">
        <button ref={cancel} type="button" className="button button-secondary" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${danger ? 'button-danger' : 'button-primary'}`}
          onClick={() => onClose(true)}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** `const [dialog, confirm] = useConfirm()`: render `dialog`, then `if (await confirm({...}))`. */
export function useConfirm(): [ReactNode, (options: ConfirmOptions) => Promise<boolean>] {
  const [pending, setPending] = useState<{ options: ConfirmOptions; resolve(confirmed: boolean): void } | null>(null);
  const confirm = useCallback(
    (options: ConfirmOptions) => new Promise<boolean>((resolve) => setPending({ options, resolve })),
    [],
  );
  const dialog = pending ? (
    <ConfirmDialog
      {...pending.options}
      onClose={(confirmed) => {
        pending.resolve(confirmed);
        setPending(null);
      }}
    />
  ) : null;
  return [dialog, confirm];
}
