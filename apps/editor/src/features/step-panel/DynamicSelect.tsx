import type { InputValue } from '@braid/flow-model';
import { useQuery } from '@tanstack/react-query';
import { connectionsApi } from '../../api/connections';
import { errorMessage } from '../../components/errors';
import { canonicalJson } from './option.value';

/** A dropdown filled from the connected account (taxes, organisations, CRM fields …). */
export function DynamicSelect({ workspaceId, connectionId, optionsKey, dependsOn, value, onChange, label, disabled }: { workspaceId: string; connectionId: string | undefined; optionsKey: string; dependsOn: Record<string, unknown> | null; value: InputValue | undefined; onChange: (next: InputValue | undefined) => void; label: string; disabled?: boolean }) {
  const enabled = Boolean(connectionId) && dependsOn !== null;
  const options = useQuery({
    queryKey: ['workspaces', workspaceId, 'connections', connectionId, 'options', optionsKey, dependsOn],
    queryFn: () => connectionsApi.options(workspaceId, connectionId!, optionsKey, dependsOn ?? {}),
    enabled,
    staleTime: 60_000,
  });
  const current = value === undefined ? '' : canonicalJson(value);
  if (!connectionId) return <p className="muted small">Choose a connection above to pick from your account, or switch to an expression.</p>;
  if (dependsOn === null) return <p className="muted small">Fill in the fields this list depends on first.</p>;
  return (
    <div className="dynamic-select">
      <select
        aria-label={label}
        value={current}
        disabled={disabled || options.isPending}
        onChange={(e) => {
          if (e.target.value === '') return onChange(undefined);
          const picked = options.data?.find((o) => canonicalJson(o.value) === e.target.value);
          onChange(picked ? (picked.value as InputValue) : (JSON.parse(e.target.value) as InputValue));
        }}
        data-testid={`dynamic-select-${optionsKey}`}
      >
        <option value="">{options.isPending ? 'Loading from your account…' : '— choose —'}</option>
        {options.data?.map((o) => (
          <option key={canonicalJson(o.value)} value={canonicalJson(o.value)} title={o.description}>
            {o.label}
          </option>
        ))}
        {current !== '' && options.data && !options.data.some((o) => canonicalJson(o.value) === current) && <option value={current}>{String(value)} (not in the list)</option>}
      </select>
      <button type="button" className="ghost small" onClick={() => options.refetch()} aria-label={`Reload ${label} from the account`} title="Reload from the account">
        ⟳
      </button>
      {options.isError && <p className="error small">Could not load the choices: {errorMessage(options.error)}</p>}
    </div>
  );
}
