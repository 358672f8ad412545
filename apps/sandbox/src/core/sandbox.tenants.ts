/**
 * Who exists in the sandbox: Zoho users (with their data centre), the Books organisations and CRM orgs they
 * can reach, and Togai organisations with their API tokens. Services keep their records per tenant id.
 */
export type DataCentreKey = 'com' | 'eu';

export interface DataCentre {
  key: DataCentreKey;
  /** the `location` query value Zoho's redirect carries */
  location: string;
  /** path prefix on the sandbox host: accounts server and api_domain are `${baseUrl}${prefix}` */
  prefix: string;
}

export const dataCentres: readonly DataCentre[] = [
  { key: 'com', location: 'us', prefix: '' },
  { key: 'eu', location: 'eu', prefix: '/dc/eu' },
];

export interface ZohoUser {
  id: string;
  email: string;
  name: string;
  dc: DataCentreKey;
}

export interface BooksOrganization {
  organization_id: string;
  name: string;
  dc: DataCentreKey;
  plan: string;
  currency_code: string;
  time_zone: string;
  /** offset used for Books timestamps, e.g. "+0530" */
  utcOffset: string;
  userIds: string[];
}

export interface CrmOrganization {
  id: string;
  name: string;
  dc: DataCentreKey;
  edition: string;
  userIds: string[];
}

export interface TogaiOrganization {
  id: string;
  name: string;
  apiTokens: string[];
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  kind: 'web' | 'self';
  /** exact redirect URIs; the sandbox's default web client also accepts any loopback URI (see allowLoopbackRedirects) */
  redirectUris: string[];
  allowLoopbackRedirects: boolean;
  /** for self clients: the user who owns it */
  userId?: string;
}

export class TenantRegistry {
  readonly zohoUsers = new Map<string, ZohoUser>();
  readonly booksOrgs = new Map<string, BooksOrganization>();
  readonly crmOrgs = new Map<string, CrmOrganization>();
  readonly togaiOrgs = new Map<string, TogaiOrganization>();
  readonly oauthClients = new Map<string, OAuthClient>();

  booksOrgsForUser(userId: string, dc?: DataCentreKey): BooksOrganization[] {
    return [...this.booksOrgs.values()].filter((o) => o.userIds.includes(userId) && (!dc || o.dc === dc));
  }

  crmOrgForUser(userId: string, dc?: DataCentreKey): CrmOrganization | undefined {
    return [...this.crmOrgs.values()].find((o) => o.userIds.includes(userId) && (!dc || o.dc === dc));
  }

  togaiOrgForToken(token: string): TogaiOrganization | undefined {
    return [...this.togaiOrgs.values()].find((o) => o.apiTokens.includes(token));
  }

  reset(): void {
    this.zohoUsers.clear();
    this.booksOrgs.clear();
    this.crmOrgs.clear();
    this.togaiOrgs.clear();
    this.oauthClients.clear();
  }

  snapshot(): unknown {
    return {
      zohoUsers: [...this.zohoUsers.values()],
      booksOrgs: [...this.booksOrgs.values()],
      crmOrgs: [...this.crmOrgs.values()],
      togaiOrgs: [...this.togaiOrgs.values()],
      oauthClients: [...this.oauthClients.values()],
    };
  }

  restore(data: unknown): void {
    const d = data as Record<string, Array<Record<string, unknown>>>;
    this.reset();
    for (const u of d.zohoUsers ?? []) this.zohoUsers.set(String(u.id), u as unknown as ZohoUser);
    for (const o of d.booksOrgs ?? []) this.booksOrgs.set(String(o.organization_id), o as unknown as BooksOrganization);
    for (const o of d.crmOrgs ?? []) this.crmOrgs.set(String(o.id), o as unknown as CrmOrganization);
    for (const o of d.togaiOrgs ?? []) this.togaiOrgs.set(String(o.id), o as unknown as TogaiOrganization);
    for (const c of d.oauthClients ?? []) this.oauthClients.set(String(c.clientId), c as unknown as OAuthClient);
  }
}

/** Well-known identities every seed creates, so `pnpm start` and tests can connect without set-up. */
export const wellKnown = {
  webClient: { clientId: '1000.BRAIDSANDBOXWEB', clientSecret: 'sandbox-web-client-secret' },
  user: { id: 'zu-1', email: 'demo@braid.local', name: 'Demo User' },
  euUser: { id: 'zu-2', email: 'demo.eu@braid.local', name: 'Demo EU User' },
  booksOrgs: { acmeUs: '10234695', acmeUk: '10234696', acmeEu: '20234695' },
  crmOrgs: { acmeUs: '60001234', acmeEu: '60005678' },
  togai: { orgId: 'togai-org-1', apiToken: 'togai_sandbox_api_token_0001' },
} as const;

/** Creates the tenants of every named seed (records are added by each service's own seed). */
export function seedTenants(tenants: TenantRegistry): void {
  tenants.reset();
  const w = wellKnown;
  tenants.oauthClients.set(w.webClient.clientId, {
    clientId: w.webClient.clientId,
    clientSecret: w.webClient.clientSecret,
    kind: 'web',
    redirectUris: [],
    allowLoopbackRedirects: true,
  });
  tenants.zohoUsers.set(w.user.id, { ...w.user, dc: 'com' });
  tenants.zohoUsers.set(w.euUser.id, { ...w.euUser, dc: 'eu' });
  tenants.booksOrgs.set(w.booksOrgs.acmeUs, {
    organization_id: w.booksOrgs.acmeUs, name: 'Acme Inc', dc: 'com', plan: 'professional',
    currency_code: 'USD', time_zone: 'America/New_York', utcOffset: '-0500', userIds: [w.user.id],
  });
  tenants.booksOrgs.set(w.booksOrgs.acmeUk, {
    organization_id: w.booksOrgs.acmeUk, name: 'Acme UK Ltd', dc: 'com', plan: 'standard',
    currency_code: 'GBP', time_zone: 'Europe/London', utcOffset: '+0000', userIds: [w.user.id],
  });
  tenants.booksOrgs.set(w.booksOrgs.acmeEu, {
    organization_id: w.booksOrgs.acmeEu, name: 'Acme GmbH', dc: 'eu', plan: 'professional',
    currency_code: 'EUR', time_zone: 'Europe/Berlin', utcOffset: '+0100', userIds: [w.euUser.id],
  });
  tenants.crmOrgs.set(w.crmOrgs.acmeUs, { id: w.crmOrgs.acmeUs, name: 'Acme Inc', dc: 'com', edition: 'enterprise', userIds: [w.user.id] });
  tenants.crmOrgs.set(w.crmOrgs.acmeEu, { id: w.crmOrgs.acmeEu, name: 'Acme GmbH', dc: 'eu', edition: 'professional', userIds: [w.euUser.id] });
  tenants.togaiOrgs.set(w.togai.orgId, { id: w.togai.orgId, name: 'Acme Billing', apiTokens: [w.togai.apiToken] });
}
