import { Router } from 'express';
import { badRequest, notFound } from './togai.errors.js';
import { orgIdOf, param } from './togai.http.js';
import type { AccountInput, CustomerInput, TogaiModel } from './togai.model.js';
import { paginate, readPageRequest } from './togai.pagination.js';
import type { AccountStatus } from './togai.store.js';
import {
  type Json,
  optionalBoolean,
  optionalCurrency,
  optionalEmail,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  parseAddress,
  requireArray,
  requireEmail,
  requireObject,
  requireString,
  stringMap,
} from './togai.validate.js';

/** Entity lists (customers, accounts): default page 20, at most 100 (apis.md D7). */
const ENTITY_PAGE = { defaultPageSize: 20, maxPageSize: 100 };

function parseSettings(value: unknown, field: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  return requireArray(value, field, 0, 10);
}

function parseStringList(value: unknown, field: string, max: number, maxLength: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return requireArray(value, field, 0, max).map((item, i) => requireString(item, `${field}[${i}]`, 1, maxLength));
}

/** Fields shared by POST /accounts and the inline `account` of POST /customers. */
export function parseAccountInput(body: Json, prefix: string): AccountInput {
  const f = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const input: AccountInput = {
    id: requireString(body.id, f('id'), 1, 50),
    name: requireString(body.name, f('name'), 3, 255),
  };
  const invoiceCurrency = optionalCurrency(body.invoiceCurrency, f('invoiceCurrency'));
  if (invoiceCurrency) input.invoiceCurrency = invoiceCurrency;
  const aliases = parseStringList(body.aliases, f('aliases'), 10, 512);
  if (aliases) input.aliases = aliases;
  const primaryEmail = optionalEmail(body.primaryEmail, f('primaryEmail'));
  if (primaryEmail) input.primaryEmail = primaryEmail;
  if (body.address !== undefined && body.address !== null) input.address = parseAddress(body.address, f('address'));
  const netTermDays = optionalInteger(body.netTermDays, f('netTermDays'), 0, 365);
  if (netTermDays !== undefined) input.netTermDays = netTermDays;
  if (body.metadata !== undefined && body.metadata !== null) input.metadata = stringMap(body.metadata, f('metadata'));
  const tags = parseStringList(body.tags, f('tags'), 50, 100);
  if (tags) input.tags = tags;
  const status = optionalEnum(body.status, f('status'), ['ACTIVE', 'DRAFT'] as const);
  if (status) input.status = status;
  const settings = parseSettings(body.settings, f('settings'));
  if (settings) input.settings = settings;
  return input;
}

export function togaiCustomerRoutes(model: TogaiModel): Router {
  const router = Router();

  // ------------------------------------------------------------------ customers
  router.post('/customers', (req, res) => {
    const body = requireObject(req.body, 'body');
    const input: CustomerInput = {
      id: requireString(body.id, 'id', 1, 50),
      name: requireString(body.name, 'name', 3, 255),
      primaryEmail: requireEmail(body.primaryEmail, 'primaryEmail'),
      address: parseAddress(body.address, 'address'),
    };
    const settings = parseSettings(body.settings, 'settings');
    if (settings) input.settings = settings;
    const accountBody = optionalObject(body.account, 'account');
    const accountInput = accountBody ? parseAccountInput(accountBody, 'account') : undefined;
    const { customer, account } = model.createCustomer(orgIdOf(res), input, accountInput);
    // CreateCustomerResponse: the customer without status/timestamps, plus the inline account.
    const { status: _status, createdAt: _createdAt, updatedAt: _updatedAt, ...created } = model.customerView(customer);
    res.status(201).json({ ...created, ...(account ? { account: model.accountView(account) } : {}) });
  });

  router.get('/customers', (req, res) => {
    const page = readPageRequest(req.query, { ...ENTITY_PAGE, filterKeys: ['status'] });
    const customers = [...model.store.org(orgIdOf(res)).customers.values()].filter(
      (c) => !page.filters.status || c.status === page.filters.status,
    );
    const result = paginate(customers, (c) => c.id, page);
    res.json({ ...result, data: result.data.map((c) => model.customerView(c)) });
  });

  const findCustomer = (orgId: string, id: string) => {
    const customer = model.store.org(orgId).customers.get(id);
    if (!customer) throw notFound(`Customer with id "${id}" not found`);
    return customer;
  };

  router.get('/customers/:customer_id', (req, res) => {
    res.json(model.customerView(findCustomer(orgIdOf(res), param(req.params.customer_id))));
  });

  router.patch('/customers/:customer_id', (req, res) => {
    const orgId = orgIdOf(res);
    const customer = findCustomer(orgId, param(req.params.customer_id));
    const body = requireObject(req.body, 'body');
    const patch: Parameters<TogaiModel['updateCustomer']>[2] = {};
    const name = optionalString(body.name, 'name', 3, 255);
    if (name !== undefined) patch.name = name;
    const primaryEmail = optionalEmail(body.primaryEmail, 'primaryEmail');
    if (primaryEmail !== undefined) patch.primaryEmail = primaryEmail;
    if (body.address !== undefined && body.address !== null) patch.address = parseAddress(body.address, 'address');
    if (Object.keys(patch).length === 0) throw badRequest('body: nothing to update (name, primaryEmail, address)');
    res.json(model.customerView(model.updateCustomer(orgId, customer, patch)));
  });

  router.delete('/customers/:customer_id', (req, res) => {
    const orgId = orgIdOf(res);
    model.archiveCustomer(orgId, findCustomer(orgId, param(req.params.customer_id)));
    res.json({ success: true });
  });

  router.post('/customers/:customer_id/contacts', (req, res) => {
    const orgId = orgIdOf(res);
    const customer = findCustomer(orgId, param(req.params.customer_id));
    const body = requireObject(req.body, 'body');
    const id = model.newId('contact');
    const contact = {
      // Togai answers with the contact's generated `username` (CreateCustomerContactResponse has no id); `id` and
      // `customerId` are the sandbox's own keys (the same value as username / the path's customer).
      id,
      username: id,
      customerId: customer.id,
      name: requireString(body.name, 'name', 1, 255),
      email: requireEmail(body.email, 'email'),
      ...(optionalString(body.phone, 'phone', 0, 50) !== undefined ? { phone: body.phone as string } : {}),
      ...(optionalString(body.preferredUsername, 'preferredUsername', 0, 255) !== undefined
        ? { preferredUsername: body.preferredUsername as string }
        : {}),
      verified: optionalBoolean(body.verified, 'verified') ?? false,
      loginAccess: optionalBoolean(body.loginAccess, 'loginAccess') ?? false,
      createdAt: model.nowIso(),
    };
    model.store.org(orgId).contacts.set(contact.id, contact);
    res.status(201).json(contact);
  });

  // ------------------------------------------------------------------ accounts
  router.post('/accounts', (req, res) => {
    const body = requireObject(req.body, 'body');
    const customerId = requireString(body.customerId, 'customerId', 1, 50);
    const account = model.createAccount(orgIdOf(res), customerId, parseAccountInput(body, ''));
    res.status(201).json(model.accountView(account));
  });

  router.get('/accounts', (req, res) => {
    // customer_id and status filters are sandbox conveniences; the documented list takes only paging.
    const page = readPageRequest(req.query, { ...ENTITY_PAGE, filterKeys: ['customer_id', 'status'] });
    const accounts = [...model.store.org(orgIdOf(res)).accounts.values()].filter(
      (a) =>
        (!page.filters.customer_id || a.customerId === page.filters.customer_id) &&
        (!page.filters.status || a.status === page.filters.status),
    );
    const result = paginate(accounts, (a) => a.id, page);
    res.json({ ...result, data: result.data.map((a) => model.accountView(a)) });
  });

  const findAccount = (orgId: string, id: string) => {
    const account = model.store.org(orgId).accounts.get(id);
    if (!account) throw notFound(`Account with id "${id}" not found`);
    return account;
  };

  router.get('/accounts/:account_id', (req, res) => {
    res.json(model.accountView(findAccount(orgIdOf(res), param(req.params.account_id))));
  });

  // Archiving an account is PATCH {status: "ARCHIVED"} (the delete-account API is gone, apis.md D2).
  router.patch('/accounts/:account_id', (req, res) => {
    const orgId = orgIdOf(res);
    const account = findAccount(orgId, param(req.params.account_id));
    const body = requireObject(req.body, 'body');
    const patch: Parameters<TogaiModel['updateAccount']>[2] = {};
    const name = optionalString(body.name, 'name', 3, 255);
    if (name !== undefined) patch.name = name;
    const status = optionalEnum<AccountStatus>(body.status, 'status', ['ACTIVE', 'DRAFT', 'ARCHIVED']);
    if (status !== undefined) patch.status = status;
    const currency = optionalCurrency(body.invoiceCurrency, 'invoiceCurrency');
    if (currency !== undefined) patch.invoiceCurrency = currency;
    const netTermDays = optionalInteger(body.netTermDays, 'netTermDays', 0, 365);
    if (netTermDays !== undefined) patch.netTermDays = netTermDays;
    const primaryEmail = optionalEmail(body.primaryEmail, 'primaryEmail');
    if (primaryEmail !== undefined) patch.primaryEmail = primaryEmail;
    if (body.address !== undefined && body.address !== null) patch.address = parseAddress(body.address, 'address');
    if (body.metadata !== undefined && body.metadata !== null) patch.metadata = stringMap(body.metadata, 'metadata');
    const tags = parseStringList(body.tags, 'tags', 50, 100);
    if (tags !== undefined) patch.tags = tags;
    if (Object.keys(patch).length === 0) {
      throw badRequest('body: nothing to update (name, status, invoiceCurrency, netTermDays, primaryEmail, address, metadata, tags)');
    }
    res.json(model.accountView(model.updateAccount(orgId, account, patch)));
  });

  return router;
}
