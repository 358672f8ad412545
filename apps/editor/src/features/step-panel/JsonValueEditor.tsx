import type { InputValue } from '@braid/flow-model';
import { useEffect, useState } from 'react';

/** Any JSON value, edited as text; applied when it parses (on leaving the field). */
export function JsonValueEditor({ value, onChange, label, disabled }: { value: InputValue | undefined; onChange: (next: InputValue | undefined) => void; label: string; disabled?: boolean }) {
  const shown = value === undefined ? '' : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string>();
  useEffect(() => setText(shown), [shown]);
  const commit = () => {
    if (text.trim() === '') {
      setError(undefined);
      if (value !== undefined) onChange(undefined);
      return;
    }
    try {
      const parsed = JSON.parse(text) as InputValue;
      setError(undefined);
      if (JSON.stringify(parsed) !== JSON.stringify(value)) onChange(parsed);
    } catch (caught) {
      setError(`Not valid JSON yet: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };
  return (
    <>
      <textarea className="code" rows={Math.min(10, Math.max(2, text.split('\n').length))} aria-label={`${label} (JSON)`} value={text} disabled={disabled} onChange={(e) => setText(e.target.value)} onBlur={commit} placeholder='JSON, e.g. { "id": 1 }' spellCheck={false} />
      {error && <p className="error small">{error}</p>}
    </>
  );
}
