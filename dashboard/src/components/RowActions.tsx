// The actions cell of a list row (alert rules, evaluators, queues): Edit, and Delete behind a
// confirm step, with the delete's error beside them. Clicks here do not select the row.
import { useState, type ReactNode } from 'react';
import { useAction } from '../hooks.ts';

export function RowActions({
  onEdit,
  onDelete,
  confirmLabel = 'Confirm',
  children,
}: {
  onEdit: () => void;
  /** Runs on confirm; its error is shown in the cell. */
  onDelete: () => Promise<void>;
  confirmLabel?: string;
  /** Shown before Edit (a link to the row's own page). */
  children?: ReactNode;
}) {
  const [confirm, setConfirm] = useState(false);
  const action = useAction();
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: only stops a click from selecting the row; the buttons inside take the keyboard
    <td className="actions" onClick={(e) => e.stopPropagation()}>
      {confirm ? (
        <>
          <button type="button" className="btn btn-danger btn-small" disabled={action.busy} onClick={() => void action.run(onDelete)}>
            {confirmLabel}
          </button>
          <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
            Cancel
          </button>
        </>
      ) : (
        <>
          {children}
          <button type="button" className="btn btn-small" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="btn btn-small" onClick={() => setConfirm(true)}>
            Delete
          </button>
        </>
      )}
      {action.error && (
        <div className="text-bad small trunc" title={action.error.message}>
          {action.error.message}
        </div>
      )}
    </td>
  );
}
