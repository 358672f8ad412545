import type { ActionStep, RetryPolicy } from '@braid/flow-model';

/** Retries with backoff and "continue on error" for an action step. */
export function RetrySettings({ step, onChange, disabled }: { step: ActionStep; onChange: (patch: { retry?: RetryPolicy | null; continueOnError?: boolean | null }) => void; disabled?: boolean }) {
  const retry = step.retry;
  const set = (patch: Partial<RetryPolicy>) => onChange({ retry: { maxAttempts: 3, backoff: 'exponential', delayMs: 1000, ...retry, ...patch } });
  return (
    <fieldset className="retry-settings" disabled={disabled}>
      <legend>When this step fails</legend>
      <label className="inline-check">
        <input type="checkbox" checked={Boolean(retry && retry.maxAttempts > 1)} onChange={(e) => onChange({ retry: e.target.checked ? { maxAttempts: 3, backoff: 'exponential', delayMs: 1000 } : null })} data-testid="retry-enabled" />
        Try again
      </label>
      {retry && retry.maxAttempts > 1 && (
        <div className="retry-grid">
          <label>
            Attempts in total
            <input type="number" min={2} max={20} value={retry.maxAttempts} onChange={(e) => set({ maxAttempts: Math.max(2, Math.min(20, Number(e.target.value) || 2)) })} />
          </label>
          <label>
            First wait (ms)
            <input type="number" min={0} step={100} value={retry.delayMs} onChange={(e) => set({ delayMs: Math.max(0, Number(e.target.value) || 0) })} />
          </label>
          <label>
            Waits
            <select value={retry.backoff} onChange={(e) => set({ backoff: e.target.value as RetryPolicy['backoff'] })}>
              <option value="exponential">grow (exponential)</option>
              <option value="fixed">stay the same</option>
            </select>
          </label>
        </div>
      )}
      <label className="inline-check">
        <input type="checkbox" checked={Boolean(step.continueOnError)} onChange={(e) => onChange({ continueOnError: e.target.checked ? true : null })} data-testid="continue-on-error" />
        Continue the flow anyway (the error becomes this step's output)
      </label>
    </fieldset>
  );
}
