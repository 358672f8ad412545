/**
 * `Authorization: Zoho-oauthtoken <token>` for CRM: the accounts service verifies the token for the data centre,
 * the org is the CRM org picked at consent (else the user's CRM org in that DC), and scopes are matched by the
 * accounts service's `hasScope` (`ZohoCRM.modules.ALL`, `ZohoCRM.modules.accounts.READ`, `ZohoCRM.settings.ALL` …).
 */
import type { NextFunction, Request, Response } from 'express';
import type { SandboxContext } from '../core/sandbox.service.js';
import type { DataCentre } from '../core/sandbox.tenants.js';
import { hasScope } from '../accounts/accounts.scopes.js';
import { CrmError, CrmErrorCode } from './crm.errors.js';
import type { CrmStore } from './crm.store.js';

export interface CrmCaller {
  orgId: string;
  zohoUserId: string;
  crmUserId: string;
  clientId: string;
  scopes: string[];
  dc: DataCentre;
  /** e.g. http://127.0.0.1:4010/dc/eu/crm/v8 — the base the caller used */
  apiBase: string;
}

export type CrmOperation = 'READ' | 'CREATE' | 'UPDATE' | 'DELETE';

export function requireScope(caller: CrmCaller, group: string, subs: string[] | undefined, op: CrmOperation): void {
  const paths = subs && subs.length > 0 ? subs.map((sub) => `${group}.${sub}`) : [group];
  const ok = paths.some((module) => hasScope(caller.scopes, { service: 'ZohoCRM', module, operation: op }));
  if (!ok) {
    const wanted = `ZohoCRM.${group}.${subs?.[0] ? `${subs[0]}.` : ''}${op}`;
    throw new CrmError(401, CrmErrorCode.OauthScopeMismatch, `invalid oauth scope to access this URL; the token needs ${wanted} or ZohoCRM.${group}.ALL`, {});
  }
}

/** Authenticates the call and puts the CrmCaller on res.locals.crm. */
export function crmAuthMiddleware(ctx: SandboxContext, store: CrmStore, dc: DataCentre) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.header('authorization') ?? '';
    const match = /^Zoho-oauthtoken\s+(\S+)$/i.exec(header.trim());
    if (!match) {
      next(new CrmError(401, CrmErrorCode.AuthenticationFailure, 'Authentication failed: send the header Authorization: Zoho-oauthtoken <access token>', {}));
      return;
    }
    const check = ctx.auth.verifyAccessToken(match[1]!, dc.key);
    if (!check.ok) {
      next(new CrmError(401, CrmErrorCode.InvalidToken, 'invalid oauth token', {}));
      return;
    }
    const picked = check.orgIds?.crm ? ctx.tenants.crmOrgs.get(check.orgIds.crm) : undefined;
    const org = picked && picked.dc === dc.key && picked.userIds.includes(check.userId)
      ? picked
      : ctx.tenants.crmOrgForUser(check.userId, dc.key);
    if (!org) {
      next(new CrmError(401, CrmErrorCode.AuthenticationFailure, `the user has no Zoho CRM organisation in the ${dc.location} data centre`, {}));
      return;
    }
    const caller: CrmCaller = {
      orgId: org.id,
      zohoUserId: check.userId,
      crmUserId: store.userRef(check.userId).id,
      clientId: check.clientId,
      scopes: check.scopes,
      dc,
      apiBase: `${ctx.baseUrl()}${req.baseUrl}`,
    };
    res.locals.crm = caller;
    next();
  };
}

export function callerOf(res: Response): CrmCaller {
  return res.locals.crm as CrmCaller;
}
