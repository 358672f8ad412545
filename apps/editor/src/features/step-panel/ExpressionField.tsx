import type { StepId } from '@braid/flow-model';
import { useEffect, useId, useRef, useState } from 'react';
import { usePreviewBindings } from './bindings';
import { DataPicker } from './DataPicker';
import { evaluateLive, insertReference, previewText, type LiveValue } from './expression.field';

/**
 * A JSONata expression with a data picker and its value evaluated live on the sample (or last preview) data.
 * `stepId` null = trigger settings (only `$vars`).
 */
export function ExpressionField({ value, onChange, stepId, label, testId, rows = 2, disabled }: { value: string; onChange: (next: string) => void; stepId: StepId | null; label?: string; testId?: string; rows?: number; disabled?: boolean }) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [picking, setPicking] = useState(false);
  const bindings = usePreviewBindings(stepId);
  const [live, setLive] = useState<LiveValue>({ state: 'empty' });

  useEffect(() => {
    if (!bindings) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      void evaluateLive(value, bindings).then((result) => !cancelled && setLive(result));
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [value, bindings]);

  const pick = (reference: string) => {
    const el = ref.current;
    const { text, cursor } = insertReference(value, reference, el?.selectionStart ?? value.length, el?.selectionEnd ?? value.length);
    onChange(text);
    setPicking(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(cursor, cursor);
    });
  };

  return (
    <div className="expression-field">
      {label && (
        <label htmlFor={id} className="field-label">
          {label}
        </label>
      )}
      <div className="expression-input">
        <span className="expression-badge" aria-hidden="true">ƒx</span>
        <textarea id={id} ref={ref} className="code" rows={rows} spellCheck={false} value={value} readOnly={disabled} onChange={(e) => !disabled && onChange(e.target.value)} placeholder="JSONata, e.g. $trigger.account.name" aria-label={label ? undefined : 'Expression'} data-testid={testId} />
        <button type="button" className="secondary small insert-data" disabled={disabled} onClick={() => setPicking((p) => !p)} aria-expanded={picking} data-testid="open-data-picker">
          Insert data
        </button>
      </div>
      {picking && <DataPicker stepId={stepId} onPick={pick} onClose={() => setPicking(false)} />}
      <div className={`live-value live-${live.state}`} aria-live="polite" data-testid="expression-value" data-state={live.state}>
        {live.state === 'empty' && <span className="muted">Type an expression or insert data.</span>}
        {live.state === 'nothing' && <span className="muted">= nothing on the sample data</span>}
        {live.state === 'value' && <code>= {previewText(live.value)}</code>}
        {live.state === 'error' && <span className="error">{live.message}</span>}
      </div>
    </div>
  );
}
