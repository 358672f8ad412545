const tones: Record<string, string> = {
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  running: 'busy',
  queued: 'busy',
  retrying: 'warn',
  skipped: 'muted',
};

/** A run or step status as a coloured pill. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${tones[status] ?? 'muted'}`}>{status}</span>;
}

export function DirectionBadge({ direction }: { direction: 'inbound' | 'outbound' }) {
  return (
    <span className={`badge badge-${direction}`} title={direction === 'inbound' ? 'An outside app acts on the billing platform' : 'The billing platform acts on an outside app'}>
      {direction === 'inbound' ? '↘ inbound' : '↗ outbound'}
    </span>
  );
}

/** "3 min ago", "yesterday", or a date. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '—';
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(then).toLocaleDateString();
}
