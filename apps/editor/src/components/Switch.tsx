/** An on/off switch (a real checkbox, so it is keyboard and screen-reader friendly). */
export function Switch({ checked, onChange, label, disabled, title, testId }: { checked: boolean; onChange: (next: boolean) => void; label: string; disabled?: boolean; title?: string; testId?: string }) {
  return (
    <label className="switch" title={title}>
      <input type="checkbox" role="switch" aria-label={label} checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span className="switch-track" aria-hidden="true" />
    </label>
  );
}
