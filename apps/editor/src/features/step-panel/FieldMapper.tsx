import { isExpression, type InputValue, type JsonSchema, type StepId } from '@braid/flow-model';
import { ExpressionField } from './ExpressionField';
import { addPair, asMapping, ensureMandatoryPairs, mandatoryTargets, mapperRows, removePair, updatePair } from './fieldMapper.logic';

/**
 * Pairs of source value → target field; mandatory pairs are shown (locked) from the start but written only with
 * the person's first change: opening a step writes nothing (a published flow would look changed, and a flow that
 * sets those fields in the action's own input would get an incomplete pair it does not need).
 */
export function FieldMapper({ schema, value, onChange, stepId, label, disabled }: { schema: JsonSchema; value: InputValue | undefined; onChange: (next: InputValue) => void; stepId: StepId; label: string; disabled?: boolean }) {
  const stored = asMapping(value);
  const mandatory = mandatoryTargets(schema, stored);
  const mapping = ensureMandatoryPairs(stored, mandatory);
  const rows = mapperRows(mapping, mandatory);
  const targets = Array.isArray(schema['x-braid-targets']) ? (schema['x-braid-targets'] as string[]) : [];
  const listId = `targets-${stepId}-${label}`.replace(/\W/g, '_');

  const commit = (next: typeof mapping) => !disabled && onChange(next as unknown as InputValue);
  return (
    <div className="field-mapper" data-testid="field-mapper">
      {targets.length > 0 && (
        <datalist id={listId}>
          {targets.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      )}
      <table className="mapper-table">
        <thead>
          <tr>
            <th scope="col">Source value</th>
            <th scope="col">Target field</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.index} className={row.incomplete || row.duplicate ? 'mapper-row has-problem' : 'mapper-row'} data-testid="mapper-row">
              <td>
                <ExpressionField
                  value={isExpression(row.pair.source) ? row.pair.source.$expr : JSON.stringify(row.pair.source ?? '')}
                  onChange={(text) => commit(updatePair(mapping, row.index, { source: { $expr: text } }, mandatory))}
                  stepId={stepId}
                  rows={1}
                  disabled={disabled}
                />
              </td>
              <td>
                <input
                  value={row.pair.target}
                  readOnly={row.locked || disabled}
                  list={targets.length ? listId : undefined}
                  aria-label={`Target field of pair ${row.index + 1}`}
                  placeholder="Target field"
                  onChange={(e) => commit(updatePair(mapping, row.index, { target: e.target.value }, mandatory))}
                  data-testid="mapper-target"
                />
                {row.locked && <span className="badge badge-muted" title="This field must be mapped">required</span>}
                {row.duplicate && <span className="error small">mapped twice</span>}
              </td>
              <td>
                <button type="button" className="icon-button" disabled={row.locked || disabled} aria-label={row.locked ? `${row.pair.target} is required and cannot be removed` : `Remove pair ${row.index + 1}`} onClick={() => commit(removePair(mapping, row.index, mandatory))} data-testid="mapper-remove">
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="secondary small" disabled={disabled} onClick={() => commit(addPair(mapping))} data-testid="mapper-add">
        Add a pair
      </button>
    </div>
  );
}
