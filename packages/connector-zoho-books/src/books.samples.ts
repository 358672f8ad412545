// Sample outputs shown in the editor before a step has run (shapes as Books returns them; ids are strings).

export const sampleContactPerson = {
  contact_person_id: '460000000026051',
  contact_id: '460000000026049',
  first_name: 'Pepper',
  last_name: 'Potts',
  email: 'pepper@stark.example',
  phone: '+1 555 0100',
  mobile: '',
  is_primary_contact: true,
};

export const sampleContactSummary = {
  contact_id: '460000000026049',
  contact_name: 'Stark Industries',
  company_name: 'Stark Industries',
  contact_type: 'customer',
  status: 'active',
  email: 'pepper@stark.example',
  currency_id: '460000000000097',
  currency_code: 'USD',
  outstanding_receivable_amount: 1250,
  created_time: '2026-01-05T09:30:00-0500',
  last_modified_time: '2026-01-05T09:30:00-0500',
};

export const sampleContact = {
  ...sampleContactSummary,
  billing_address: { address: '10880 Malibu Point', city: 'Malibu', zip: '90265', country: 'U.S.A' },
  contact_persons: [sampleContactPerson],
  custom_fields: [{ api_name: 'cf_external_id', value: 'A-17' }],
};

const sampleLine = {
  line_item_id: '460000000027011',
  item_id: '460000000025011',
  name: 'Support Plan',
  description: 'Monthly support subscription',
  rate: 99,
  quantity: 3,
  tax_id: '460000000024003',
  tax_percentage: 7,
  item_total: 297,
};

export const sampleInvoice = {
  invoice_id: '460000000027001',
  invoice_number: 'INV-000042',
  reference_number: 'togai-inv-2026-0042',
  customer_id: '460000000026049',
  customer_name: 'Stark Industries',
  status: 'draft',
  date: '2026-01-05',
  due_date: '2026-02-04',
  currency_code: 'USD',
  sub_total: 297,
  tax_total: 20.79,
  total: 317.79,
  balance: 317.79,
  line_items: [sampleLine],
  last_modified_time: '2026-01-05T09:30:00-0500',
};

export const sampleBill = {
  bill_id: '460000000028001',
  bill_number: 'CH-2026-001',
  vendor_id: '460000000026070',
  vendor_name: 'Cloud Hosting Ltd',
  status: 'open',
  date: '2026-01-05',
  total: 256.8,
  balance: 256.8,
  line_items: [{ ...sampleLine, item_id: '', name: 'Hosting', rate: 240, quantity: 1, account_id: '460000000000410', item_total: 240 }],
};

export const samplePayment = {
  payment_id: '460000000029001',
  payment_number: '7',
  customer_id: '460000000026049',
  customer_name: 'Stark Industries',
  payment_mode: 'banktransfer',
  date: '2026-01-20',
  amount: 100,
  unused_amount: 0,
  account_id: '460000000000360',
  reference_number: 'WIRE-778',
  invoices: [{ invoice_id: '460000000027001', invoice_number: 'INV-000042', amount_applied: 100, balance_amount: 217.79 }],
};

export const sampleBankTransaction = {
  transaction_id: '460000000030001',
  transaction_type: 'deposit',
  from_account_id: '460000000000360',
  to_account_id: '460000000000372',
  amount: 950,
  date: '2026-01-20',
  reference_number: 'DEP-2026-01-20',
};

export const sampleExpense = {
  expense_id: '460000000031001',
  date: '2026-01-20',
  account_id: '460000000000415',
  account_name: 'Payment Processing Fees',
  paid_through_account_id: '460000000000360',
  paid_through_account_name: 'Undeposited Funds',
  amount: 12.4,
  total: 12.4,
  reference_number: 'braid-fees-2026-01-20',
  description: 'Processing fees of 2026-01-20',
};

export const sampleCurrency = {
  currency_id: '460000000000097',
  currency_code: 'USD',
  currency_name: 'US Dollar',
  currency_symbol: '$',
  is_base_currency: true,
  exchange_rate: 1,
};

export const sampleAccount = {
  account_id: '460000000000372',
  account_name: 'Business Checking',
  account_code: '1020',
  account_type: 'bank',
  is_active: true,
};

export const sampleTax = {
  tax_id: '460000000024005',
  tax_name: 'VAT 19%',
  tax_percentage: 19,
  tax_type: 'tax',
};

export const sampleReportingTag = {
  tag_id: '460000000031001',
  tag_name: 'Region',
  tag_options: [{ tag_option_id: '460000000031002', tag_option_name: 'North' }],
};

export const sampleItem = {
  item_id: '460000000025011',
  name: 'Support Plan',
  rate: 99,
  description: 'Monthly support subscription',
  tax_id: '460000000024003',
  status: 'active',
};

export const sampleOrganization = {
  organization_id: '10234695',
  name: 'Acme Inc',
  currency_code: 'USD',
  time_zone: 'America/New_York',
  is_default_org: true,
};
