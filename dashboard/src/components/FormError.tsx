// A form's failed request in the form's words: what the API refused and why (plainMessage), or
// that it could not be reached. The raw message stays in the tooltip.
import type { ApiError } from '../api.ts';
import { plainMessage } from '../forms.ts';

export function FormError({ error, what, labels }: { error: ApiError; what: string; labels: Readonly<Record<string, string>> }) {
  const text =
    error.status === 0
      ? error.message
      : error.status === 400
        ? plainMessage(error.message, labels)
        : error.status === 404
          ? `It is gone: ${error.message} (deleted, or in another project).`
          : error.message;
  return (
    <div className="state state-error" role="alert" data-testid="form-error" title={`${error.status || ''} ${error.code}: ${error.message}`.trim()}>
      <strong>{what}:</strong> <span className="error-message">{text}</span>
    </div>
  );
}
