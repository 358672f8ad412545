import type { ActionStep, RetryPolicy } from '@braid/flow-model';
import { NumberField } from './NumberField';

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
            <NumberField value={retry.maxAttempts} limits={{ min: 2, max: 20, integer: true }} onChange={(maxAttempts) => set({ maxAttempts })} data-testid="retry-attempts" />
          </label>
          <label>
            First wait (ms)
            <NumberField value={retry.delayMs} limits={{ min: 0, max: 3_600_000, integer: true }} onChange={(delayMs) => set({ delayMs })} data-testid="retry-delay" />
          </label>
          <label>
            Waits
            <select value={retry.backoff} data-testid="retry-backoff" onChange={(e) => set({ backoff: e.target.value as RetryPolicy['backoff'] })}>
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
