// Contact persons of a customer. Togai offers only `POST /customers/{id}/contacts` (no list, read, update or
// delete), so repeats are prevented by the caller: "upsert with link" links the source contact to the `username`
// Togai returns and never creates it twice.
import { defineAction } from '@braid/connector-sdk';
import { encodeId } from '../togai.http.js';
import { contactSchema, MANDATORY_TARGETS, sampleContact } from '../togai.schemas.js';
import { definedOnly } from './action.helpers.js';

export interface TogaiContact {
  username: string;
  name: string;
  email?: string;
  [key: string]: unknown;
}

interface CreateContactInput {
  customerId: string;
  name: string;
  email: string;
  phone?: string;
  preferredUsername?: string;
  loginAccess: boolean;
}

export const createCustomerContactAction = defineAction<CreateContactInput, { username: string; customerId: string; contact: TogaiContact }>({
  key: 'create_customer_contact',
  title: 'Add contact person to customer',
  description:
    'Adds a contact person (name, email, phone) to a Togai customer; Togai answers with the contact\'s username. ' +
    'Togai has no way to list, change or remove contacts and no idempotency key: a repeated step adds a second ' +
    'contact, so use it in "upsert with link" (the link remembers the username) rather than on its own.',
  input: {
    type: 'object',
    properties: {
      customerId: { type: 'string', title: 'Customer id', description: 'Your id of the customer in Togai.', minLength: 1, maxLength: 50 },
      name: { type: 'string', title: 'Name', minLength: 1, maxLength: 255 },
      email: { type: 'string', title: 'Email', format: 'email', maxLength: 320 },
      phone: { type: 'string', title: 'Phone', maxLength: 50 },
      preferredUsername: { type: 'string', title: 'Preferred username', maxLength: 255 },
      loginAccess: {
        type: 'boolean',
        title: 'Customer portal login',
        description: 'Let this person sign in to Togai\'s customer portal.',
        default: false,
      },
    },
    required: ['customerId', 'name', 'email'],
    additionalProperties: false,
    // Togai refuses a contact without a name or an email: a field mapper feeding this action must map both.
    [MANDATORY_TARGETS]: ['name', 'email'],
  },
  output: {
    type: 'object',
    properties: { username: { type: 'string' }, customerId: { type: 'string' }, contact: contactSchema },
    required: ['username', 'customerId', 'contact'],
    additionalProperties: false,
  },
  sampleOutput: { username: sampleContact.username, customerId: 'globex', contact: sampleContact },
  classification: 'write',
  idempotent: false,
  run: async (ctx, input) => {
    const body = definedOnly({
      name: input.name,
      email: input.email,
      phone: input.phone,
      preferredUsername: input.preferredUsername,
      loginAccess: input.loginAccess,
    });
    const contact = (await ctx.http.post<TogaiContact>(`/customers/${encodeId(input.customerId)}/contacts`, body)).body;
    return { username: String(contact.username), customerId: input.customerId, contact };
  },
});

export const contactActions = [createCustomerContactAction];
