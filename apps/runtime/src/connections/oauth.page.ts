/** The small page the OAuth popup lands on: tells the opener the outcome and closes. */

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface OAuthOutcome {
  type: 'braid:oauth';
  status: 'connected' | 'error';
  connectionId?: string;
  error?: { code: string; message: string };
}

export function renderOAuthPage(outcome: OAuthOutcome, targetOrigin: string, nonce: string): string {
  // JSON inside <script>: `<` escaped so no value can close the element.
  const payload = JSON.stringify({ outcome, targetOrigin }).replace(/</g, '\\u003c');
  const title = outcome.status === 'connected' ? 'Connected' : 'Connection failed';
  const text = outcome.status === 'connected' ? 'The connection is ready. You can close this window.' : (outcome.error?.message ?? 'The connection failed.');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Braid – ${escapeHtml(title)}</title>
<style>body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:32rem;color:#222}h1{font-size:1.3rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(text)}</p>
<script nonce="${nonce}">
(function () {
  var data = ${payload};
  if (window.opener) {
    window.opener.postMessage(data.outcome, data.targetOrigin);
    if (data.outcome.status === 'connected') window.close();
  }
})();
</script></body></html>`;
}
