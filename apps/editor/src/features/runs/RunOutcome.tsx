import { summaryParts } from '../../api/runs';

/** A run's one-line outcome; a run it names ("echo of run …") is a link to that run, shown by its short id. */
export function RunOutcome({ summary, onOpenRun, testId = 'run-summary' }: { summary: string | null; onOpenRun?(runId: string): void; testId?: string }) {
  if (!summary) return null;
  return (
    <span className="run-summary" data-testid={testId} title={summary}>
      {summaryParts(summary).map((part, index) =>
        'text' in part ? (
          <span key={index}>{part.text}</span>
        ) : (
          <a
            key={index}
            href={`/runs/${part.runId}`}
            data-testid="summary-run-link"
            onClick={(event) => {
              if (!onOpenRun) return;
              event.preventDefault();
              event.stopPropagation();
              onOpenRun(part.runId);
            }}
          >
            {part.runId.slice(0, 8)}…
          </a>
        ),
      )}
    </span>
  );
}
