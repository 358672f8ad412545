/**
 * CRM records of the named seeds. 'demo': a few accounts with contacts and extra addresses in both well-known
 * CRM orgs. Counts (`request.crm.accounts`, `.contacts`) add deterministic bulk records; the first
 * `sharedNames` accounts are named `Customer 0001`… — the same names the Togai seed gives its customers, so
 * sync tests find overlaps.
 */
import type { SandboxContext, SeedRequest } from '../core/sandbox.service.js';
import { wellKnown } from '../core/sandbox.tenants.js';
import { crmModules, currencyCodes } from './crm.fields.js';
import type { CrmRecords, WriteActor } from './crm.records.js';
import type { CrmStore } from './crm.store.js';

const pad4 = (n: number) => String(n).padStart(4, '0');

export function seedCrm(request: SeedRequest, ctx: SandboxContext, store: CrmStore, records: CrmRecords): void {
  const actorFor = (orgId: string): WriteActor | undefined => {
    const org = ctx.tenants.crmOrgs.get(orgId);
    const owner = org?.userIds[0];
    if (!org || !owner) return undefined;
    return { orgId, userId: store.userRef(owner).id, now: ctx.clock.now(), apiBase: '' };
  };

  if (request.name === 'demo') {
    const us = actorFor(wellKnown.crmOrgs.acmeUs);
    if (us) {
      const zylker = records.seedRecord(us, crmModules.Accounts, {
        Account_Name: 'Zylker Inc', Currency: 'USD', Email: 'billing@zylker.example', Phone: '+1 415 555 0100',
        Website: 'https://zylker.example', Account_Type: 'Customer', Industry: 'ERP',
        Billing_Street: '4141 Hacienda Drive', Billing_City: 'Pleasanton', Billing_State: 'CA', Billing_Code: '94588', Billing_Country: 'US',
        Shipping_Street: '4141 Hacienda Drive', Shipping_City: 'Pleasanton', Shipping_State: 'CA', Shipping_Code: '94588', Shipping_Country: 'US',
      });
      const globex = records.seedRecord(us, crmModules.Accounts, {
        Account_Name: 'Globex Corporation', Currency: 'EUR', Email: 'accounts@globex.example', Phone: '+49 30 555 0199',
        Account_Type: 'Customer', Billing_Street: 'Unter den Linden 1', Billing_City: 'Berlin', Billing_Code: '10117', Billing_Country: 'DE',
      });
      const initech = records.seedRecord(us, crmModules.Accounts, {
        Account_Name: 'Initech', Currency: 'USD', Email: 'ap@initech.example', Account_Type: 'Prospect',
        Billing_City: 'Austin', Billing_State: 'TX', Billing_Country: 'US',
      });
      records.seedRecord(us, crmModules.Contacts, {
        First_Name: 'Ada', Last_Name: 'Lovelace', Email: 'ada@zylker.example', Phone: '+1 415 555 0101', Account_Name: zylker.id,
        Mailing_Street: '4141 Hacienda Drive', Mailing_City: 'Pleasanton', Mailing_Zip: '94588', Mailing_Country: 'US',
      });
      records.seedRecord(us, crmModules.Contacts, {
        First_Name: 'Grace', Last_Name: 'Hopper', Email: 'grace@zylker.example', Account_Name: zylker.id, Title: 'CFO',
      });
      records.seedRecord(us, crmModules.Contacts, {
        First_Name: 'Hank', Last_Name: 'Scorpio', Email: 'hank@globex.example', Account_Name: globex.id,
      });
      records.seedRecord(us, crmModules.Contacts, { First_Name: 'Peter', Last_Name: 'Gibbons', Email: 'peter@initech.example', Account_Name: initech.id });
      records.seedRecord(us, crmModules.Addresses, {
        Name: 'Zylker warehouse', Account: zylker.id, Address_Type: 'Shipping', Street: '1 Dock Road', City: 'Oakland',
        State: 'CA', Code: '94607', Country: 'US', Is_Main: false,
      });
      records.seedRecord(us, crmModules.Addresses, {
        Name: 'Zylker accounts payable', Account: zylker.id, Address_Type: 'Billing', Street: 'PO Box 77', City: 'Pleasanton',
        State: 'CA', Code: '94566', Country: 'US', Is_Main: false,
      });
      records.seedRecord(us, crmModules.Addresses, {
        Name: 'Globex HQ', Account: globex.id, Address_Type: 'Billing', Street: 'Unter den Linden 1', City: 'Berlin',
        Code: '10117', Country: 'DE', Is_Main: true,
      });
    }
    const eu = actorFor(wellKnown.crmOrgs.acmeEu);
    if (eu) {
      const mueller = records.seedRecord(eu, crmModules.Accounts, {
        Account_Name: 'Müller Maschinenbau GmbH', Currency: 'EUR', Email: 'rechnung@mueller.example',
        Billing_Street: 'Hauptstraße 5', Billing_City: 'München', Billing_Code: '80331', Billing_Country: 'DE',
      });
      records.seedRecord(eu, crmModules.Contacts, { First_Name: 'Jana', Last_Name: 'Müller', Email: 'jana@mueller.example', Account_Name: mueller.id });
      records.seedRecord(eu, crmModules.Addresses, {
        Name: 'Müller Lager', Account: mueller.id, Address_Type: 'Shipping', Street: 'Industriestraße 9', City: 'Augsburg',
        Code: '86150', Country: 'DE', Is_Main: false,
      });
    }
  }

  const counts = request.crm;
  if (counts && ((counts.accounts ?? 0) > 0 || (counts.contacts ?? 0) > 0)) {
    const actor = actorFor(counts.orgId ?? wellKnown.crmOrgs.acmeUs);
    if (!actor) return;
    const shared = request.sharedNames ?? 0;
    const accountIds: string[] = [];
    for (let i = 1; i <= (counts.accounts ?? 0); i++) {
      const isShared = i <= shared;
      const name = isShared ? `Customer ${pad4(i)}` : `Account ${pad4(i)}`;
      const record = records.seedRecord(actor, crmModules.Accounts, {
        Account_Name: name,
        Currency: currencyCodes[(i - 1) % 3],
        Email: isShared ? `customer${pad4(i)}@example.com` : `account${pad4(i)}@example.com`,
        Phone: `+1 555 ${pad4(i)}`,
        Billing_City: ['Springfield', 'Shelbyville', 'Ogdenville'][i % 3],
        Billing_Country: 'US',
      });
      accountIds.push(record.id);
    }
    for (let i = 1; i <= (counts.contacts ?? 0); i++) {
      records.seedRecord(actor, crmModules.Contacts, {
        First_Name: 'Contact',
        Last_Name: pad4(i),
        Email: `contact${pad4(i)}@example.com`,
        ...(accountIds.length > 0 ? { Account_Name: accountIds[(i - 1) % accountIds.length] } : {}),
      });
    }
  }
}
