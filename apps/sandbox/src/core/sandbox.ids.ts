/**
 * Deterministic id sequences, so a named seed always produces the same ids (tests and demos can refer to them).
 * Zoho ids are digit strings (Books 15 digits, CRM 19 digits); Togai ids are caller-chosen or prefixed strings.
 */
export class IdSequences {
  private counters = new Map<string, number>();

  next(sequence: string): number {
    const value = (this.counters.get(sequence) ?? 0) + 1;
    this.counters.set(sequence, value);
    return value;
  }

  /** e.g. booksId('contact') → "460000000000001" style 15-digit string, unique per sequence. */
  booksId(sequence: string): string {
    return `4600000${String(this.next(`books:${sequence}`)).padStart(8, '0')}`;
  }

  crmId(sequence: string): string {
    return `5725767${String(this.next(`crm:${sequence}`)).padStart(12, '0')}`;
  }

  prefixed(prefix: string): string {
    return `${prefix}.${String(this.next(`p:${prefix}`)).padStart(6, '0')}`;
  }

  /** Opaque random-looking token material; deterministic order is not needed for secrets. */
  secret(prefix = '1000'): string {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    return `${prefix}.${Buffer.from(bytes).toString('hex')}`;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  restore(data: Record<string, number>): void {
    this.counters = new Map(Object.entries(data));
  }

  reset(): void {
    this.counters.clear();
  }
}
