import { api, ApiClient, ApiError } from '../../api/client';

/** A flow's webhook and how to set the sending app up (GET …/flows/:flowId/webhook). */
export interface WebhookInfo {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** "set" when the flow has a secret; the secret itself is shown only when created or replaced. */
  secretHint?: string;
  /** The secret this trigger needs, as "create secret" makes it (e.g. 32 letters and digits for Zoho Books). */
  secretFormat?: { format: 'opaque' | 'alphanumeric'; length?: number; description: string };
  instructions: string[];
}

export class WebhookApi {
  constructor(private readonly client: ApiClient = api) {}

  private base(workspaceId: string, flowId: string): string {
    return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/flows/${encodeURIComponent(flowId)}`;
  }

  /** undefined when the flow's trigger is not a webhook. */
  async info(workspaceId: string, flowId: string): Promise<WebhookInfo | undefined> {
    try {
      return await this.client.request<WebhookInfo>('GET', `${this.base(workspaceId, flowId)}/webhook`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TRIGGER_NOT_A_WEBHOOK') return undefined;
      throw error;
    }
  }

  /** Creates or replaces the secret; the answer is the only time it is shown. */
  async rotateSecret(workspaceId: string, flowId: string): Promise<string> {
    return (await this.client.request<{ secret: string }>('POST', `${this.base(workspaceId, flowId)}/webhook/secret`)).secret;
  }

  /** A new URL (the old one stops working at once). */
  async rotateUrl(workspaceId: string, flowId: string): Promise<string> {
    return (await this.client.request<{ url: string }>('POST', `${this.base(workspaceId, flowId)}/webhook/token`)).url;
  }
}

export const webhookApi = new WebhookApi();

/**
 * Copies text: the Clipboard API where the page may use it (secure contexts), else a hidden textarea and
 * execCommand('copy') (plain-http deployments). Resolves false when neither worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea way
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
