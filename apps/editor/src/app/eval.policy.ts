// JSON Schema validation in the browser (ajv, used by flow-model's validateFlow and applyEdit) compiles
// validators with `new Function`, which a Content-Security-Policy without 'unsafe-eval' forbids. The editor
// reads the policy it was served with (no violation is triggered) and, when eval is not allowed, lets the
// server apply edits and report problems instead.

/** True when a CSP header value lets scripts use eval / new Function. */
export function cspAllowsEval(header: string | null): boolean {
  if (!header || header.trim() === '') return true;
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources.map((s) => s.toLowerCase()));
  }
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  if (!scriptSrc) return true;
  return scriptSrc.includes("'unsafe-eval'");
}

let detected: Promise<boolean> | undefined;
let known: boolean | undefined;

/** Whether this page may compile schemas (resolved once per page). */
export function detectEvalAllowed(): Promise<boolean> {
  detected ??= fetch('/', { method: 'GET', credentials: 'same-origin', cache: 'no-store' })
    .then((response) => cspAllowsEval(response.headers.get('content-security-policy')))
    .catch(() => false)
    .then((allowed) => (known = allowed));
  return detected;
}

/** The detected answer (false until detection finished: the safe default). */
export function evalAllowed(): boolean {
  return known ?? false;
}
