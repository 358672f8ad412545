import { useState } from 'react';
import '../connections/connections.css';
import { errorText, useAsync } from '../connections/useAsync';
import { copyText, webhookApi } from './webhook.api';

/**
 * The panel shows this right after the user picks a webhook trigger, possibly before the editor's autosave has
 * stored it: "not a webhook" is asked again a few times before it is believed.
 */
async function infoOnceSaved(workspaceId: string, flowId: string) {
  for (let attempt = 0; ; attempt++) {
    const info = await webhookApi.info(workspaceId, flowId);
    if (info || attempt >= 8) return info;
    await new Promise((resolve) => setTimeout(resolve, 750));
  }
}

export interface WebhookHelpProps {
  workspaceId: string;
  flowId: string;
}

/**
 * For triggers the user sets up in the other app (e.g. a Zoho Books workflow rule): the URL, method, headers and
 * secret to paste there, with copy buttons, and the app's set-up steps.
 */
export function WebhookHelp({ workspaceId, flowId }: WebhookHelpProps) {
  const info = useAsync(() => infoOnceSaved(workspaceId, flowId), `${workspaceId}/${flowId}`);
  const [secret, setSecret] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await work();
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  if (info.error) return <p role="alert" className="error">{info.error}</p>;
  if (info.loading && !info.data) return <p className="muted">Loading…</p>;
  if (!info.data) {
    return (
      <p className="muted" data-testid="webhook-help-none">
        This trigger does not need a webhook URL.
      </p>
    );
  }
  const webhook = info.data;
  const hasSecret = secret !== undefined || webhook.secretHint === 'set';

  return (
    <section className="bc-form" data-testid="webhook-help" aria-label="Webhook set-up">
      <div className="bc-kv">
        <span>URL</span>
        <code className="bc-code" data-testid="webhook-url">{webhook.url}</code>
        <CopyButton text={webhook.url} testId="copy-webhook-url" />
        <span>Method</span>
        <code className="bc-code" data-testid="webhook-method">{webhook.method}</code>
        <CopyButton text={webhook.method} testId="copy-webhook-method" />
        {Object.entries(webhook.headers).map(([name, value]) => (
          <HeaderRow key={name} name={name} value={value} />
        ))}
        <span>Secret</span>
        {secret !== undefined ? (
          <code className="bc-code" data-testid="webhook-secret">{secret}</code>
        ) : (
          <span className="muted" data-testid="webhook-secret-state">
            {hasSecret ? 'Set (shown only when created — replace it to see a new one)' : 'None: anyone with the URL can send events'}
          </span>
        )}
        {secret !== undefined ? <CopyButton text={secret} testId="copy-webhook-secret" /> : <span />}
      </div>
      {secret !== undefined && <p className="bc-warning">Copy the secret now: Braid shows it only this once.</p>}
      {webhook.secretFormat?.format === 'alphanumeric' && (
        <p className="muted" data-testid="webhook-secret-format">
          Paste the secret exactly as shown: it is {webhook.secretFormat.description}, the format this app accepts.
        </p>
      )}
      {webhook.instructions.length > 0 && (
        <ol data-testid="webhook-instructions">
          {webhook.instructions.map((step, index) => (
            <li key={index}>{step}</li>
          ))}
        </ol>
      )}
      {failure && <p role="alert" className="error">{failure}</p>}
      <div className="bc-actions">
        <button type="button" className="secondary" data-testid="webhook-rotate-secret" disabled={busy} onClick={() => void run(async () => setSecret(await webhookApi.rotateSecret(workspaceId, flowId)))}>
          {hasSecret ? 'Replace secret' : 'Create secret'}
        </button>
        <button
          type="button"
          className="secondary"
          data-testid="webhook-rotate-url"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await webhookApi.rotateUrl(workspaceId, flowId);
              info.reload();
            })
          }
        >
          New URL
        </button>
      </div>
    </section>
  );
}

function HeaderRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <span>Header</span>
      <code className="bc-code" data-testid="webhook-header">
        {name}: {value}
      </code>
      <CopyButton text={`${name}: ${value}`} testId="copy-webhook-header" />
    </>
  );
}

function CopyButton({ text, testId }: { text: string; testId: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="secondary bc-small"
      data-testid={testId}
      onClick={() =>
        void copyText(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          window.setTimeout(() => setState('idle'), 1500);
        })
      }
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
    </button>
  );
}
