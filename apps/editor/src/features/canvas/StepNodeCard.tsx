import { Handle, Position } from '@xyflow/react';
import type { ReactNode } from 'react';
import { ConnectorIcon } from '../../components/ConnectorIcon';
import type { CanvasNodeData } from './canvas.types';

/** The card every step kind draws on the canvas: icon, title, subtitle, one-line summary, problems, status. */
export function StepNodeCard({ data, glyph, variant, hasInput = true, testId }: { data: CanvasNodeData; glyph?: ReactNode; variant: string; hasInput?: boolean; testId: string }) {
  const problemCount = data.problems.length;
  const status = data.status;
  return (
    <div
      className={`node-card node-${variant}${data.isSelected ? ' is-selected' : ''}${problemCount ? ' has-problems' : ''}${status ? ` status-${status}` : ''}${data.detached ? ' is-detached' : ''}`}
      data-testid={testId}
      title={problemCount ? data.problems.map((p) => p.message).join('\n') : undefined}
    >
      {hasInput && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="node-icon">{glyph ?? <ConnectorIcon connector={data.connector} size={28} />}</div>
      <div className="node-text">
        <div className="node-title">{data.text.title}</div>
        <div className="node-subtitle">{data.text.subtitle}</div>
        {problemCount > 0 ? (
          <div className="node-problems" role="note" data-testid={`node-problems-${data.stepId ?? 'trigger'}`}>
            <span aria-hidden="true">⚠ </span>
            {data.problems[0]!.message}
            {problemCount > 1 && ` (+${problemCount - 1} more)`}
          </div>
        ) : (
          <div className="node-summary">{data.detached ? 'Not connected: nothing leads here' : data.text.summary}</div>
        )}
      </div>
      {status && (
        <span className={`node-status node-status-${status}`} data-testid={`node-status-${data.stepId ?? 'trigger'}`} data-status={status} aria-label={`Preview: ${status}`}>
          {status === 'succeeded' ? '✓' : status === 'failed' ? '!' : '•'}
        </span>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}
