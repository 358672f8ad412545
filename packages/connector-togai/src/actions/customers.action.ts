// Customers: create (idempotent by the caller-chosen id), update, archive, get, list, find by email/name.
import { defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { encodeId, ENTITY_PAGE_SIZE, togaiRows } from '../togai.http.js';
import { accountSchema, addressSchema, customerSchema, limitProperty, MANDATORY_TARGETS, sampleAccount, sampleCustomer } from '../togai.schemas.js';
import { accountInputProperties, type AccountFields, type TogaiAccount } from './accounts.action.js';
import { definedOnly, invalidInput, isConflict, isNotFound } from './action.helpers.js';
import { assertFindKeys, findByEmailThenName, findInputProperties, type FindInput } from './find.helpers.js';

export interface TogaiCustomer {
  id: string;
  name: string;
  primaryEmail: string;
  status?: string;
  [key: string]: unknown;
}

const customerIdProperty: JsonSchema = {
  type: 'string',
  title: 'Customer id',
  description: 'Your id of the customer in Togai (up to 50 characters).',
  minLength: 1,
  maxLength: 50,
};

async function getCustomer(ctx: ConnectorContext, id: string): Promise<TogaiCustomer> {
  return (await ctx.http.get<TogaiCustomer>(`/customers/${encodeId(id)}`)).body;
}

// ------------------------------------------------------------------------------------------------------ create

interface CreateCustomerInput {
  id: string;
  name: string;
  primaryEmail: string;
  address: Record<string, string>;
  account?: AccountFields & { id: string; name: string };
  onConflict: 'return_existing' | 'fail';
}

export const createCustomerAction = defineAction<
  CreateCustomerInput,
  { created: boolean; customer: TogaiCustomer; account: TogaiAccount | null }
>({
  key: 'create_customer',
  title: 'Create customer',
  description:
    'Creates a Togai customer (the paying company), optionally with its first account. Ids are yours: running the step ' +
    'again with the same id returns the existing customer instead of failing (unless "If the id exists" is "fail").',
  input: {
    type: 'object',
    properties: {
      id: customerIdProperty,
      name: { type: 'string', title: 'Name', minLength: 3, maxLength: 255 },
      primaryEmail: { type: 'string', title: 'Primary email', format: 'email', maxLength: 320 },
      address: { ...addressSchema, title: 'Address', description: 'Billing address (country as ISO alpha-2).', default: {} },
      account: {
        type: 'object',
        title: 'First account',
        description: 'Optional: the customer\'s first billing account, created with it.',
        properties: accountInputProperties,
        required: ['id', 'name'],
        additionalProperties: false,
      },
      onConflict: {
        type: 'string',
        title: 'If the id exists',
        description: '"return_existing" (default) makes the step safe to repeat; "fail" stops with a CONFLICT error.',
        enum: ['return_existing', 'fail'],
        default: 'return_existing',
      },
    },
    required: ['id', 'name', 'primaryEmail'],
    additionalProperties: false,
    // Togai refuses a customer without a name or a primary email (apis.md D2): a field mapper must map both.
    [MANDATORY_TARGETS]: ['name', 'primaryEmail'],
  },
  output: {
    type: 'object',
    properties: {
      created: { type: 'boolean', description: 'false when the customer already existed.' },
      customer: customerSchema,
      account: { anyOf: [accountSchema, { type: 'null' }] },
    },
    required: ['created', 'customer', 'account'],
    additionalProperties: false,
  },
  sampleOutput: { created: true, customer: sampleCustomer, account: sampleAccount },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const body = definedOnly({
      id: input.id,
      name: input.name,
      primaryEmail: input.primaryEmail,
      address: input.address,
      account: input.account,
    });
    try {
      const response = await ctx.http.post<TogaiCustomer & { account?: TogaiAccount }>('/customers', body);
      const { account, ...customer } = response.body;
      return { created: true, customer, account: account ?? null };
    } catch (error) {
      if (!isConflict(error) || input.onConflict === 'fail') throw error;
      // 409 may mean the customer or the inline account exists: only the former is a repeat of this step.
      let customer: TogaiCustomer;
      try {
        customer = await getCustomer(ctx, input.id);
      } catch (readError) {
        if (isNotFound(readError)) throw error;
        throw readError;
      }
      let account: TogaiAccount | null = null;
      if (input.account) {
        try {
          account = (await ctx.http.get<TogaiAccount>(`/accounts/${encodeId(input.account.id)}`)).body;
        } catch (readError) {
          if (!isNotFound(readError)) throw readError;
          // The customer was made on an earlier attempt but its account was not: finish the job.
          account = (await ctx.http.post<TogaiAccount>('/accounts', { ...input.account, customerId: input.id })).body;
        }
      }
      return { created: false, customer, account };
    }
  },
});

// ------------------------------------------------------------------------------------------------------ update

export const updateCustomerAction = defineAction<
  { customerId: string; name?: string; primaryEmail?: string; address?: Record<string, string> },
  TogaiCustomer
>({
  key: 'update_customer',
  title: 'Update customer',
  description: 'Changes a customer\'s name, primary email and/or address (fields left empty are not changed).',
  input: {
    type: 'object',
    properties: {
      customerId: customerIdProperty,
      name: { type: 'string', title: 'Name', minLength: 3, maxLength: 255 },
      primaryEmail: { type: 'string', title: 'Primary email', format: 'email', maxLength: 320 },
      address: { ...addressSchema, description: 'Replaces the whole address.' },
    },
    required: ['customerId'],
    additionalProperties: false,
  },
  output: customerSchema,
  sampleOutput: sampleCustomer,
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const patch = definedOnly({ name: input.name, primaryEmail: input.primaryEmail, address: input.address });
    if (Object.keys(patch).length === 0) throw invalidInput('', 'needs at least one of name, primaryEmail, address to change');
    return (await ctx.http.patch<TogaiCustomer>(`/customers/${encodeId(input.customerId)}`, patch, { retrySafe: true })).body;
  },
});

// ------------------------------------------------------------------------------------------------------ archive

export const archiveCustomerAction = defineAction<{ customerId: string; ignoreMissing: boolean }, { customerId: string; archived: boolean }>({
  key: 'archive_customer',
  title: 'Archive customer',
  description:
    'Removes a customer (DELETE /customers/{id}). Togai deletes it; Braid\'s sandbox keeps it with status ARCHIVED, ' +
    'together with its accounts. A customer that does not exist is not an error when "Ignore missing" is on.',
  input: {
    type: 'object',
    properties: {
      customerId: customerIdProperty,
      ignoreMissing: { type: 'boolean', title: 'Ignore missing', default: true, description: 'Succeed when the customer is already gone.' },
    },
    required: ['customerId'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      customerId: { type: 'string' },
      archived: { type: 'boolean', description: 'false when the customer did not exist.' },
    },
    required: ['customerId', 'archived'],
    additionalProperties: false,
  },
  sampleOutput: { customerId: 'globex', archived: true },
  classification: 'delete',
  idempotent: true,
  run: async (ctx, input) => {
    try {
      await ctx.http.delete(`/customers/${encodeId(input.customerId)}`);
      return { customerId: input.customerId, archived: true };
    } catch (error) {
      if (input.ignoreMissing && isNotFound(error)) return { customerId: input.customerId, archived: false };
      throw error;
    }
  },
});

// ------------------------------------------------------------------------------------------------------ get

export const getCustomerAction = defineAction<{ customerId: string }, TogaiCustomer>({
  key: 'get_customer',
  title: 'Get customer',
  description: 'Reads one customer by id (NOT_FOUND when there is none).',
  input: { type: 'object', properties: { customerId: customerIdProperty }, required: ['customerId'], additionalProperties: false },
  output: customerSchema,
  sampleOutput: sampleCustomer,
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => getCustomer(ctx, input.customerId),
});

// ------------------------------------------------------------------------------------------------------ list

const customerStatusProperty: JsonSchema = {
  type: 'string',
  title: 'Status',
  description: 'Only customers with this status (empty: all).',
  enum: ['ACTIVE', 'ARCHIVED'],
};

export const listCustomersAction = defineAction<
  { status?: string; limit: number },
  { customers: TogaiCustomer[]; count: number; truncated: boolean }
>({
  key: 'list_customers',
  title: 'List customers',
  description: 'Reads customers page by page (100 per call) up to the limit.',
  input: {
    type: 'object',
    properties: { status: customerStatusProperty, limit: limitProperty(1000, 10_000) },
    additionalProperties: false,
  },
  output: listOutput('customers', customerSchema),
  sampleOutput: { customers: [sampleCustomer], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    const rows = togaiRows<TogaiCustomer>(ctx, '/customers', { status: input.status }, ENTITY_PAGE_SIZE);
    const { items, truncated } = await collectRows(rows, input.limit, (c) => !input.status || c.status === input.status);
    return { customers: items, count: items.length, truncated };
  },
});

// ------------------------------------------------------------------------------------------------------ find

export const findCustomersAction = defineAction<
  FindInput,
  { customers: TogaiCustomer[]; count: number; found: boolean; first: TogaiCustomer | null; matchedBy: 'email' | 'name' | null; truncated: boolean }
>({
  key: 'find_customers',
  title: 'Find customers',
  description:
    'Finds customers by exact email, else by exact name (the match keys of "upsert with link"). Togai has no search: ' +
    'this scans the customer list page by page. `first` is the best match or null.',
  input: {
    type: 'object',
    properties: findInputProperties,
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      customers: { type: 'array', items: customerSchema },
      count: { type: 'integer', minimum: 0 },
      found: { type: 'boolean' },
      first: { anyOf: [customerSchema, { type: 'null' }] },
      matchedBy: { enum: ['email', 'name', null] },
      truncated: { type: 'boolean' },
    },
    required: ['customers', 'count', 'found', 'first', 'matchedBy', 'truncated'],
    additionalProperties: false,
  },
  sampleOutput: { customers: [sampleCustomer], count: 1, found: true, first: sampleCustomer, matchedBy: 'email', truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    assertFindKeys(input);
    const rows = togaiRows<TogaiCustomer>(ctx, '/customers', {}, ENTITY_PAGE_SIZE);
    const { items, matchedBy, truncated } = await findByEmailThenName(rows, input);
    return { customers: items, count: items.length, found: items.length > 0, first: items[0] ?? null, matchedBy, truncated };
  },
});

export const customerActions = [
  createCustomerAction,
  updateCustomerAction,
  archiveCustomerAction,
  getCustomerAction,
  listCustomersAction,
  findCustomersAction,
];
