// Accounts (a customer's billing units): create (idempotent by id), update, archive, get, list, find by email/name.
import { defineAction, type ConnectorContext, type JsonSchema, collectRows, listOutput } from '@braid/connector-sdk';
import { encodeId, ENTITY_PAGE_SIZE, togaiRows } from '../togai.http.js';
import { accountSchema, addressSchema, limitProperty, MANDATORY_TARGETS, sampleAccount } from '../togai.schemas.js';
import { definedOnly, invalidInput, isConflict, isNotFound } from './action.helpers.js';
import { assertFindKeys, findByEmailThenName, findInputProperties, type FindInput } from './find.helpers.js';

export interface TogaiAccount {
  id: string;
  customerId: string;
  name: string;
  status?: string;
  primaryEmail?: string;
  [key: string]: unknown;
}

export interface AccountFields {
  invoiceCurrency?: string;
  primaryEmail?: string;
  address?: Record<string, string>;
  netTermDays?: number;
  metadata?: Record<string, string>;
  tags?: string[];
  aliases?: string[];
}

export const accountIdProperty: JsonSchema = {
  type: 'string',
  title: 'Account id',
  description: 'Your id of the account in Togai (up to 50 characters); events and invoices refer to it.',
  minLength: 1,
  maxLength: 50,
};

const editableAccountProperties: Record<string, JsonSchema> = {
  name: { type: 'string', title: 'Name', minLength: 3, maxLength: 255 },
  invoiceCurrency: {
    type: 'string',
    title: 'Invoice currency',
    description: 'ISO-4217 code, e.g. EUR (Togai defaults to the organisation\'s base currency).',
    pattern: '^[A-Z]{3}$',
  },
  primaryEmail: { type: 'string', title: 'Primary email', format: 'email', maxLength: 320 },
  address: { ...addressSchema },
  netTermDays: { type: 'integer', title: 'Net term (days)', description: 'Days between invoice date and due date.', minimum: 0, maximum: 365 },
  metadata: {
    type: 'object',
    title: 'Metadata',
    description: 'Text values by key. On update this REPLACES the account\'s metadata (Togai\'s rule).',
    additionalProperties: { type: 'string' },
  },
  tags: { type: 'array', title: 'Tags', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50, description: 'Stored lower-case.' },
};

/** Account fields accepted on creation (also the inline account of create_customer). */
export const accountInputProperties: Record<string, JsonSchema> = {
  id: accountIdProperty,
  ...editableAccountProperties,
  aliases: {
    type: 'array',
    title: 'Aliases',
    description: 'Other ids usage events may use for this account (up to 10).',
    items: { type: 'string', minLength: 1, maxLength: 512 },
    maxItems: 10,
  },
};

async function getAccount(ctx: ConnectorContext, id: string): Promise<TogaiAccount> {
  return (await ctx.http.get<TogaiAccount>(`/accounts/${encodeId(id)}`)).body;
}

// ------------------------------------------------------------------------------------------------------ create

export const createAccountAction = defineAction<
  AccountFields & { id: string; name: string; customerId: string; onConflict: 'return_existing' | 'fail' },
  { created: boolean; account: TogaiAccount }
>({
  key: 'create_account',
  title: 'Create account',
  description:
    'Adds a billing account to an existing customer. Running the step again with the same account id returns the ' +
    'existing account (unless "If the id exists" is "fail").',
  input: {
    type: 'object',
    properties: {
      customerId: { type: 'string', title: 'Customer id', minLength: 1, maxLength: 50 },
      ...accountInputProperties,
      onConflict: {
        type: 'string',
        title: 'If the id exists',
        enum: ['return_existing', 'fail'],
        default: 'return_existing',
        description: '"return_existing" makes the step safe to repeat (it fails when the id belongs to another customer).',
      },
    },
    required: ['customerId', 'id', 'name'],
    additionalProperties: false,
    // Togai refuses an account without a name.
    [MANDATORY_TARGETS]: ['name'],
  },
  output: {
    type: 'object',
    properties: { created: { type: 'boolean' }, account: accountSchema },
    required: ['created', 'account'],
    additionalProperties: false,
  },
  sampleOutput: { created: true, account: sampleAccount },
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const { onConflict, ...body } = input;
    try {
      return { created: true, account: (await ctx.http.post<TogaiAccount>('/accounts', body)).body };
    } catch (error) {
      if (!isConflict(error) || onConflict === 'fail') throw error;
      let existing: TogaiAccount;
      try {
        existing = await getAccount(ctx, input.id);
      } catch (readError) {
        if (isNotFound(readError)) throw error; // the conflict was an alias, not the id
        throw readError;
      }
      if (existing.customerId !== input.customerId) throw error;
      return { created: false, account: existing };
    }
  },
});

// ------------------------------------------------------------------------------------------------------ update

export const updateAccountAction = defineAction<AccountFields & { accountId: string; name?: string; status?: string }, TogaiAccount>({
  key: 'update_account',
  title: 'Update account',
  description: 'Changes an account\'s fields (empty fields are not changed; metadata and tags are replaced when given).',
  input: {
    type: 'object',
    properties: {
      accountId: accountIdProperty,
      ...editableAccountProperties,
      status: { type: 'string', title: 'Status', enum: ['ACTIVE', 'DRAFT', 'ARCHIVED'] },
    },
    required: ['accountId'],
    additionalProperties: false,
  },
  output: accountSchema,
  sampleOutput: sampleAccount,
  classification: 'write',
  idempotent: true,
  run: async (ctx, input) => {
    const { accountId, ...rest } = input;
    const patch = definedOnly(rest);
    if (Object.keys(patch).length === 0) throw invalidInput('', 'needs at least one field to change');
    return (await ctx.http.patch<TogaiAccount>(`/accounts/${encodeId(accountId)}`, patch, { retrySafe: true })).body;
  },
});

// ------------------------------------------------------------------------------------------------------ archive

export const archiveAccountAction = defineAction<{ accountId: string; ignoreMissing: boolean }, { accountId: string; archived: boolean; account: TogaiAccount | null }>({
  key: 'archive_account',
  title: 'Archive account',
  description: 'Sets the account\'s status to ARCHIVED (Togai has no delete-account API). Already archived is fine.',
  input: {
    type: 'object',
    properties: {
      accountId: accountIdProperty,
      ignoreMissing: { type: 'boolean', title: 'Ignore missing', default: true, description: 'Succeed when the account does not exist.' },
    },
    required: ['accountId'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      accountId: { type: 'string' },
      archived: { type: 'boolean', description: 'false when the account did not exist.' },
      account: { anyOf: [accountSchema, { type: 'null' }] },
    },
    required: ['accountId', 'archived', 'account'],
    additionalProperties: false,
  },
  sampleOutput: { accountId: 'globex-main', archived: true, account: { ...sampleAccount, status: 'ARCHIVED' } },
  classification: 'delete',
  idempotent: true,
  run: async (ctx, input) => {
    try {
      const account = (
        await ctx.http.patch<TogaiAccount>(`/accounts/${encodeId(input.accountId)}`, { status: 'ARCHIVED' }, { retrySafe: true })
      ).body;
      return { accountId: input.accountId, archived: true, account };
    } catch (error) {
      if (input.ignoreMissing && isNotFound(error)) return { accountId: input.accountId, archived: false, account: null };
      throw error;
    }
  },
});

// ------------------------------------------------------------------------------------------------------ get / list / find

export const getAccountAction = defineAction<{ accountId: string }, TogaiAccount>({
  key: 'get_account',
  title: 'Get account',
  description: 'Reads one account by id (NOT_FOUND when there is none).',
  input: { type: 'object', properties: { accountId: accountIdProperty }, required: ['accountId'], additionalProperties: false },
  output: accountSchema,
  sampleOutput: sampleAccount,
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => getAccount(ctx, input.accountId),
});

export const listAccountsAction = defineAction<
  { customerId?: string; status?: string; limit: number },
  { accounts: TogaiAccount[]; count: number; truncated: boolean }
>({
  key: 'list_accounts',
  title: 'List accounts',
  description: 'Reads accounts page by page (100 per call) up to the limit, optionally of one customer or status.',
  input: {
    type: 'object',
    properties: {
      customerId: { type: 'string', title: 'Customer id', description: 'Only accounts of this customer.' },
      status: { type: 'string', title: 'Status', enum: ['ACTIVE', 'DRAFT', 'ARCHIVED'] },
      limit: limitProperty(1000, 10_000),
    },
    additionalProperties: false,
  },
  output: listOutput('accounts', accountSchema),
  sampleOutput: { accounts: [sampleAccount], count: 1, truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    // customer_id/status are filtered server-side by the sandbox only; filter here too for Togai.
    const rows = togaiRows<TogaiAccount>(ctx, '/accounts', { customer_id: input.customerId, status: input.status }, ENTITY_PAGE_SIZE);
    const { items, truncated } = await collectRows(
      rows,
      input.limit,
      (a) => (!input.customerId || a.customerId === input.customerId) && (!input.status || a.status === input.status),
    );
    return { accounts: items, count: items.length, truncated };
  },
});

export const findAccountsAction = defineAction<
  FindInput & { customerId?: string },
  { accounts: TogaiAccount[]; count: number; found: boolean; first: TogaiAccount | null; matchedBy: 'email' | 'name' | null; truncated: boolean }
>({
  key: 'find_accounts',
  title: 'Find accounts',
  description:
    'Finds accounts by exact primary email, else by exact name, optionally within one customer. Scans the account ' +
    'list page by page; `first` is the best match or null.',
  input: {
    type: 'object',
    properties: { ...findInputProperties, customerId: { type: 'string', title: 'Customer id', description: 'Only accounts of this customer.' } },
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: {
      accounts: { type: 'array', items: accountSchema },
      count: { type: 'integer', minimum: 0 },
      found: { type: 'boolean' },
      first: { anyOf: [accountSchema, { type: 'null' }] },
      matchedBy: { enum: ['email', 'name', null] },
      truncated: { type: 'boolean' },
    },
    required: ['accounts', 'count', 'found', 'first', 'matchedBy', 'truncated'],
    additionalProperties: false,
  },
  sampleOutput: { accounts: [sampleAccount], count: 1, found: true, first: sampleAccount, matchedBy: 'email', truncated: false },
  classification: 'read',
  idempotent: true,
  run: async (ctx, input) => {
    assertFindKeys(input);
    const all = togaiRows<TogaiAccount>(ctx, '/accounts', { customer_id: input.customerId }, ENTITY_PAGE_SIZE);
    async function* ofCustomer() {
      for await (const account of all) if (!input.customerId || account.customerId === input.customerId) yield account;
    }
    const { items, matchedBy, truncated } = await findByEmailThenName(ofCustomer(), input);
    return { accounts: items, count: items.length, found: items.length > 0, first: items[0] ?? null, matchedBy, truncated };
  },
});

export const accountActions = [
  createAccountAction,
  updateAccountAction,
  archiveAccountAction,
  getAccountAction,
  listAccountsAction,
  findAccountsAction,
];
