/** A value as indented JSON in a scrollable block. */
export function JsonView({ value, label, testId }: { value: unknown; label: string; testId?: string }) {
  const text = value === undefined ? '(nothing)' : JSON.stringify(value, null, 2);
  return (
    <figure className="json-view">
      <figcaption>{label}</figcaption>
      <pre tabIndex={0} data-testid={testId}>
        {text.length > 20000 ? `${text.slice(0, 20000)}\n… (${text.length - 20000} more characters)` : text}
      </pre>
    </figure>
  );
}
