import { Inject, Injectable } from '@nestjs/common';
import { ZOHO_DATA_CENTERS, type ZohoDataCenter, zohoSandboxDataCenters } from '@braid/connector-sdk';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import type { ConnectionTarget } from './connection.entity.js';
import { ConnectionsError, ConnectionsErrorCode } from './connections.errors.js';

/**
 * API base of api-token services per target (sandbox: a path under the sandbox URL) and the connection setting
 * the connector reads it from.
 */
const apiTokenServices: Record<string, { sandboxPath: string; production: string; setting: string }> = {
  togai: { sandboxPath: '/togai', production: 'https://api.togai.com', setting: 'baseUrl' },
};

export interface ZohoClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Where a connection goes: the real services (`production`) or the sandbox (`sandbox`, the one started with the
 * runtime or BRAID_SANDBOX_URL). Knows the Zoho data centres of each and the OAuth client to use there.
 */
@Injectable()
export class ConnectionTargets {
  constructor(
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
    private readonly sandbox: SandboxService,
  ) {}

  sandboxUrl(): string {
    const url = this.config.sandboxUrl ?? this.sandbox.url;
    if (!url) {
      throw new ConnectionsError(
        ConnectionsErrorCode.SANDBOX_UNAVAILABLE,
        'The sandbox is not running: start the runtime with BRAID_SANDBOX=on, or point BRAID_SANDBOX_URL at a running sandbox; or choose target "production".',
      );
    }
    return url.replace(/\/+$/, '');
  }

  /**
   * The service a connection talks to, recorded on it: the sandbox URL, or the production service (the API base of
   * an api-token service, the Zoho accounts server of the data centre), `production` when only the connector knows.
   */
  baseUrl(target: ConnectionTarget, service: { connectorKey: string; accountsServer?: string | null }): string {
    if (target === 'sandbox') return this.sandboxUrl();
    return apiTokenServices[service.connectorKey]?.production ?? service.accountsServer ?? 'production';
  }

  zohoDataCentres(target: ConnectionTarget): ZohoDataCenter[] {
    return target === 'sandbox' ? zohoSandboxDataCenters(this.sandboxUrl()) : [...ZOHO_DATA_CENTERS];
  }

  /** `us`, `eu` … (`com` is accepted for `us`). */
  zohoDataCentre(target: ConnectionTarget, location: string): ZohoDataCenter {
    const wanted = location.toLowerCase() === 'com' ? 'us' : location.toLowerCase();
    const centres = this.zohoDataCentres(target);
    const found = centres.find((dc) => dc.location === wanted);
    if (!found) {
      throw new ConnectionsError(
        ConnectionsErrorCode.UNKNOWN_DATA_CENTRE,
        `Unknown Zoho data centre "${location}" for target ${target}; choose one of ${centres.map((dc) => dc.location).join(', ')}.`,
        { pointer: '/dataCentre' },
      );
    }
    return found;
  }

  allowedAccountsServers(target: ConnectionTarget): string[] {
    return this.zohoDataCentres(target).map((dc) => dc.accountsServer);
  }

  /** The Braid web client: the sandbox's well-known one, or ZOHO_CLIENT_ID/SECRET (per data centre if set). */
  async zohoWebClient(target: ConnectionTarget, location?: string | null): Promise<ZohoClient> {
    if (target === 'sandbox') {
      // Loaded only for sandbox connections; the values are public sandbox identities.
      const { wellKnown } = await import('@braid/sandbox');
      return { clientId: wellKnown.webClient.clientId, clientSecret: wellKnown.webClient.clientSecret };
    }
    const { clientId, clientSecret, secretsByDc } = this.config.zoho;
    const secret = (location ? secretsByDc[location.toLowerCase()] : undefined) ?? clientSecret;
    if (!clientId || !secret) {
      throw new ConnectionsError(
        ConnectionsErrorCode.OAUTH_NOT_CONFIGURED,
        'Connecting to real Zoho needs a Zoho web client: set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET (and ZOHO_CLIENT_SECRET_<DC> where a data centre has its own secret), ' +
          'with the redirect URI <public URL>/api/v1/oauth/callback registered in the Zoho API console. Or choose target "sandbox".',
      );
    }
    return { clientId, clientSecret: secret };
  }

  zohoOAuthConfigured(): boolean {
    return Boolean(this.config.zoho.clientId && this.config.zoho.clientSecret);
  }

  /** API base of an api-token connector on a target (undefined: the connector takes it from its settings). */
  apiTokenBase(connectorKey: string, target: ConnectionTarget): string | undefined {
    const service = apiTokenServices[connectorKey];
    if (!service) return undefined;
    return target === 'sandbox' ? `${this.sandboxUrl()}${service.sandboxPath}` : service.production;
  }

  /** Settings that point an api-token connector at its target (unless the user set them). */
  apiTokenSettings(connectorKey: string, target: ConnectionTarget, settings: Record<string, unknown>): Record<string, unknown> {
    const service = apiTokenServices[connectorKey];
    if (!service || settings[service.setting] !== undefined) return settings;
    return { ...settings, [service.setting]: this.apiTokenBase(connectorKey, target) };
  }

  /**
   * Where Zoho sends the popup back: BRAID_PUBLIC_URL, else the address the user opened Braid at (so the session
   * cookie comes along: 127.0.0.1 and localhost are different sites to the browser).
   */
  redirectUri(requestOrigin?: string): string {
    return `${this.config.publicUrl ?? requestOrigin ?? `http://localhost:${this.config.port}`}/api/v1/oauth/callback`;
  }

  /** The origin the OAuth popup reports back to. */
  publicOrigin(requestOrigin: string): string {
    return this.config.publicUrl ? new URL(this.config.publicUrl).origin : requestOrigin;
  }
}
