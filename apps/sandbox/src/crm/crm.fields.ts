/**
 * The modules and field catalogues the simulated CRM org has (apis.md C3): Accounts (`Billing_Code`),
 * Contacts (`Mailing_Zip`, `Account_Name` lookup), and a custom `Addresses` module for extra addresses.
 * Also renders `/settings/fields` and `/settings/modules` metadata from the same definitions.
 */
export type CrmModuleName = 'Accounts' | 'Contacts' | 'Addresses';

export type CrmDataType =
  | 'text' | 'textarea' | 'email' | 'phone' | 'website' | 'picklist' | 'lookup' | 'ownerlookup'
  | 'boolean' | 'datetime' | 'date' | 'currency' | 'double' | 'integer';

export interface CrmFieldDef {
  apiName: string;
  label: string;
  dataType: CrmDataType;
  mandatory?: boolean;
  /** set by the system (times, users, formulas); writes to it are ignored */
  readOnly?: boolean;
  length?: number;
  picklist?: string[];
  /** picklist values outside the list are refused (INVALID_DATA) */
  restricted?: boolean;
  lookupModule?: CrmModuleName;
  unique?: boolean;
  custom?: boolean;
}

export interface CrmModuleDef {
  apiName: CrmModuleName;
  singular: string;
  custom: boolean;
  /** the field shown as the record's name (lookups, deleted records, duplicate checks) */
  nameField: string;
  /** upsert's default duplicate_check_fields (apis.md C5) */
  defaultDuplicateCheck: string[];
  fields: CrmFieldDef[];
  moduleId: string;
}

const text = (apiName: string, label: string, length = 255, extra: Partial<CrmFieldDef> = {}): CrmFieldDef => ({
  apiName, label, dataType: 'text', length, ...extra,
});
const phone = (apiName: string, label: string): CrmFieldDef => ({ apiName, label, dataType: 'phone', length: 30 });
const picklist = (apiName: string, label: string, values: string[], extra: Partial<CrmFieldDef> = {}): CrmFieldDef => ({
  apiName, label, dataType: 'picklist', picklist: values, ...extra,
});
const systemFields: CrmFieldDef[] = [
  { apiName: 'Created_By', label: 'Created By', dataType: 'ownerlookup', readOnly: true },
  { apiName: 'Modified_By', label: 'Modified By', dataType: 'ownerlookup', readOnly: true },
  { apiName: 'Created_Time', label: 'Created Time', dataType: 'datetime', readOnly: true },
  { apiName: 'Modified_Time', label: 'Modified Time', dataType: 'datetime', readOnly: true },
  { apiName: 'Last_Activity_Time', label: 'Last Activity Time', dataType: 'datetime', readOnly: true },
];
const owner: CrmFieldDef = { apiName: 'Owner', label: 'Account Owner', dataType: 'ownerlookup' };
const addressBlock = (prefix: string, label: string, codeSuffix: 'Code' | 'Zip'): CrmFieldDef[] => [
  text(`${prefix}_Street`, `${label} Street`, 250),
  text(`${prefix}_City`, `${label} City`, 30),
  text(`${prefix}_State`, `${label} State`, 30),
  text(`${prefix}_${codeSuffix}`, `${label} ${codeSuffix}`, 30),
  text(`${prefix}_Country`, `${label} Country`, 30),
];

export const currencyCodes = ['USD', 'EUR', 'GBP', 'INR', 'AUD', 'CAD', 'JPY', 'CHF'];

export const crmModules: Record<CrmModuleName, CrmModuleDef> = {
  Accounts: {
    apiName: 'Accounts', singular: 'Account', custom: false, nameField: 'Account_Name', moduleId: '5725767000000002175',
    defaultDuplicateCheck: ['Account_Name'],
    fields: [
      owner,
      text('Account_Name', 'Account Name', 200, { mandatory: true, unique: true }),
      text('Account_Number', 'Account Number', 40),
      text('Account_Site', 'Account Site', 30),
      picklist('Account_Type', 'Account Type', ['-None-', 'Analyst', 'Competitor', 'Customer', 'Distributor', 'Integrator',
        'Investor', 'Other', 'Partner', 'Press', 'Prospect', 'Reseller', 'Vendor']),
      picklist('Industry', 'Industry', ['-None-', 'ASP', 'Data/Telecom OEM', 'ERP', 'Government/Military', 'Large Enterprise',
        'ManagementISV', 'MSP (Management Service Provider)', 'Network Equipment (Enterprise)', 'Non-management ISV',
        'Optical Networking', 'Service Provider', 'Small/Medium Enterprise', 'Storage Equipment', 'Storage Service Provider',
        'Systems Integrator', 'Wireless Industry']),
      picklist('Ownership', 'Ownership', ['-None-', 'Other', 'Private', 'Public', 'Subsidiary', 'Partnership', 'Government',
        'Privately Held', 'Public Company']),
      picklist('Rating', 'Rating', ['-None-', 'Acquired', 'Active', 'Market Failed', 'Project Cancelled', 'Shut Down']),
      phone('Phone', 'Phone'),
      phone('Fax', 'Fax'),
      { apiName: 'Website', label: 'Website', dataType: 'website', length: 255 },
      text('Ticker_Symbol', 'Ticker Symbol', 30),
      { apiName: 'Employees', label: 'Employees', dataType: 'integer', length: 9 },
      { apiName: 'Annual_Revenue', label: 'Annual Revenue', dataType: 'currency', length: 16 },
      { apiName: 'SIC_Code', label: 'SIC Code', dataType: 'integer', length: 9 },
      { apiName: 'Parent_Account', label: 'Parent Account', dataType: 'lookup', lookupModule: 'Accounts' },
      picklist('Currency', 'Currency', currencyCodes, { restricted: true }),
      { apiName: 'Exchange_Rate', label: 'Exchange Rate', dataType: 'double', length: 16 },
      ...addressBlock('Billing', 'Billing', 'Code'),
      ...addressBlock('Shipping', 'Shipping', 'Code'),
      { apiName: 'Description', label: 'Description', dataType: 'textarea', length: 32000 },
      { apiName: 'Email', label: 'Email', dataType: 'email', length: 100, custom: true },
      text('Togai_Customer_Id', 'Togai Customer Id', 50, { unique: true, custom: true }),
      ...systemFields,
    ],
  },
  Contacts: {
    apiName: 'Contacts', singular: 'Contact', custom: false, nameField: 'Full_Name', moduleId: '5725767000000002179',
    defaultDuplicateCheck: ['Email'],
    fields: [
      { ...owner, label: 'Contact Owner' },
      picklist('Salutation', 'Salutation', ['-None-', 'Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Prof.']),
      text('First_Name', 'First Name', 40),
      text('Last_Name', 'Last Name', 80, { mandatory: true }),
      text('Full_Name', 'Full Name', 120, { readOnly: true }),
      { apiName: 'Email', label: 'Email', dataType: 'email', length: 100 },
      { apiName: 'Secondary_Email', label: 'Secondary Email', dataType: 'email', length: 100 },
      phone('Phone', 'Phone'),
      phone('Mobile', 'Mobile'),
      phone('Home_Phone', 'Home Phone'),
      phone('Other_Phone', 'Other Phone'),
      phone('Fax', 'Fax'),
      text('Title', 'Title', 100),
      text('Department', 'Department', 30),
      text('Assistant', 'Assistant', 30),
      phone('Asst_Phone', 'Asst Phone'),
      { apiName: 'Reporting_To', label: 'Reporting To', dataType: 'lookup', lookupModule: 'Contacts' },
      { apiName: 'Account_Name', label: 'Account Name', dataType: 'lookup', lookupModule: 'Accounts' },
      picklist('Lead_Source', 'Lead Source', ['-None-', 'Advertisement', 'Cold Call', 'Employee Referral',
        'External Referral', 'Online Store', 'Partner', 'Public Relations', 'Sales Email Alias', 'Seminar Partner',
        'Internal Seminar', 'Trade Show', 'Web Download', 'Web Research', 'Chat']),
      { apiName: 'Date_of_Birth', label: 'Date of Birth', dataType: 'date' },
      { apiName: 'Email_Opt_Out', label: 'Email Opt Out', dataType: 'boolean' },
      text('Twitter', 'Twitter', 50),
      text('Skype_ID', 'Skype ID', 50),
      ...addressBlock('Mailing', 'Mailing', 'Zip'),
      ...addressBlock('Other', 'Other', 'Zip'),
      { apiName: 'Description', label: 'Description', dataType: 'textarea', length: 32000 },
      ...systemFields,
    ],
  },
  Addresses: {
    apiName: 'Addresses', singular: 'Address', custom: true, nameField: 'Name', moduleId: '5725767000000391001',
    defaultDuplicateCheck: ['Name'],
    fields: [
      { ...owner, label: 'Address Owner' },
      text('Name', 'Address Name', 120, { mandatory: true, custom: false }),
      { apiName: 'Account', label: 'Account', dataType: 'lookup', lookupModule: 'Accounts', custom: true },
      picklist('Address_Type', 'Address Type', ['Billing', 'Shipping'], { restricted: true, custom: true }),
      text('Street', 'Street', 250, { custom: true }),
      text('City', 'City', 100, { custom: true }),
      text('State', 'State', 100, { custom: true }),
      text('Code', 'Code', 30, { custom: true }),
      text('Country', 'Country', 100, { custom: true }),
      { apiName: 'Is_Main', label: 'Is Main', dataType: 'boolean', custom: true },
      ...systemFields,
    ],
  },
};

export const crmModuleNames = Object.keys(crmModules) as CrmModuleName[];

/** Related lists (`GET /{module}/{id}/{related_list}`): child module and the child's lookup to the parent. */
export const relatedLists: Partial<Record<CrmModuleName, Record<string, { module: CrmModuleName; lookupField: string }>>> = {
  Accounts: {
    Contacts: { module: 'Contacts', lookupField: 'Account_Name' },
    Addresses: { module: 'Addresses', lookupField: 'Account' },
  },
};

/** Module API names are case-insensitive in URLs. */
export function findModule(name: string): CrmModuleDef | undefined {
  const lower = name.toLowerCase();
  return Object.values(crmModules).find((m) => m.apiName.toLowerCase() === lower);
}

export function findField(module: CrmModuleDef, apiName: string): CrmFieldDef | undefined {
  return module.fields.find((f) => f.apiName === apiName);
}

const jsonTypeOf: Record<CrmDataType, string> = {
  text: 'string', textarea: 'string', email: 'string', phone: 'string', website: 'string', picklist: 'string',
  lookup: 'jsonobject', ownerlookup: 'jsonobject', boolean: 'boolean', datetime: 'string', date: 'string',
  currency: 'double', double: 'double', integer: 'integer',
};

/** What INVALID_DATA reports as `expected_data_type` for a field. */
export function expectedDataType(field: CrmFieldDef): string {
  if (field.dataType === 'lookup' || field.dataType === 'ownerlookup') return 'jsonobject';
  if (field.dataType === 'currency') return 'double';
  return field.dataType;
}

/** One field's `/settings/fields` entry. */
export function fieldMetadata(module: CrmModuleDef, field: CrmFieldDef, index: number): Record<string, unknown> {
  const id = `${module.moduleId.slice(0, 13)}${String(1000 + index).padStart(6, '0')}`;
  return {
    id,
    api_name: field.apiName,
    field_label: field.label,
    display_label: field.label,
    column_name: field.apiName.toUpperCase(),
    data_type: field.dataType,
    json_type: jsonTypeOf[field.dataType],
    system_mandatory: field.mandatory === true,
    read_only: field.readOnly === true,
    field_read_only: field.readOnly === true,
    custom_field: field.custom === true,
    visible: true,
    length: field.length ?? (field.dataType === 'lookup' || field.dataType === 'ownerlookup' ? 120 : 255),
    decimal_place: field.dataType === 'currency' || field.dataType === 'double' ? 2 : null,
    unique: field.unique ? { casesensitive: false } : {},
    type: 'used',
    created_source: field.custom ? 'custom' : 'default',
    searchable: true,
    sortable: true,
    filterable: true,
    webhook: true,
    mass_update: !field.readOnly,
    virtual_field: false,
    tooltip: null,
    crypt: null,
    private: null,
    associated_module: null,
    parent_field: null,
    history_tracking: null,
    pick_list_values_sorted_lexically: false,
    operation_type: { web_update: !field.readOnly, api_create: !field.readOnly, web_create: !field.readOnly, api_update: !field.readOnly },
    view_type: { view: true, edit: !field.readOnly, quick_create: field.mandatory === true, create: !field.readOnly },
    currency: {},
    formula: {},
    auto_number: {},
    rollup_summary: {},
    multiselectlookup: {},
    multi_module_lookup: {},
    pick_list_values: (field.picklist ?? []).map((value, i) => ({
      display_value: value,
      actual_value: value,
      reference_value: value,
      sequence_number: i + 1,
      type: 'used',
      colour_code: null,
      id: `${id.slice(0, 13)}${String(500 + i).padStart(6, '0')}`,
    })),
    lookup: field.lookupModule
      ? {
          display_label: crmModules[field.lookupModule].singular,
          api_name: field.apiName,
          module: { api_name: field.lookupModule, id: crmModules[field.lookupModule].moduleId },
          id,
        }
      : {},
  };
}

export function moduleFieldsMetadata(module: CrmModuleDef): Record<string, unknown>[] {
  return module.fields.map((f, i) => fieldMetadata(module, f, i));
}

export function moduleMetadata(module: CrmModuleDef): Record<string, unknown> {
  return {
    id: module.moduleId,
    api_name: module.apiName,
    module_name: module.apiName,
    singular_label: module.singular,
    plural_label: module.apiName,
    generated_type: module.custom ? 'custom' : 'default',
    api_supported: true,
    creatable: true,
    editable: true,
    deletable: true,
    viewable: true,
    visible: true,
    convertable: false,
    status: 'visible',
    modified_time: null,
  };
}
