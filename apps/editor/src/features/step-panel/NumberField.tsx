import { useState } from 'react';
import { settledNumber, typedNumber, type NumberLimits } from './number.field';

/**
 * A number input that keeps what is being typed: each keystroke that makes a complete number within the limits
 * is applied at once; anything on its way to one ("", "1" before "10" when the minimum is 2) stays on screen
 * and is settled (brought within the limits) when the field is left.
 */
export function NumberField({ value, onChange, limits, ...rest }: { value: number; onChange: (next: number) => void; limits: NumberLimits; 'aria-label'?: string; 'data-testid'?: string; disabled?: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? String(value);
  return (
    // Text, not type=number: the browser reports "" for a number input holding "1." or "-", which would wipe it.
    <input
      type="text"
      inputMode={limits.integer ? 'numeric' : 'decimal'}
      className="number-input"
      {...rest}
      value={shown}
      onFocus={() => setDraft(String(value))}
      onChange={(e) => {
        setDraft(e.target.value);
        const typed = typedNumber(e.target.value, limits);
        if (typed !== undefined && typed !== value) onChange(typed);
      }}
      onBlur={() => {
        if (draft !== null) {
          const settled = settledNumber(draft, value, limits);
          if (settled !== value) onChange(settled);
        }
        setDraft(null);
      }}
    />
  );
}
