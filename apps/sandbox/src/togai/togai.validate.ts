import { badRequest } from './togai.errors.js';

/**
 * Small field checkers for request bodies. Every failure names the field (with its path, e.g.
 * `account.invoiceCurrency`) and says what is expected, like Togai's 400 messages.
 */
export type Json = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COUNTRY = /^[A-Z]{2}$/;
const CURRENCY = /^[A-Z]{3}$/;

export function requireObject(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`${field}: must be a JSON object`);
  }
  return value as Json;
}

export function optionalObject(value: unknown, field: string): Json | undefined {
  return value === undefined || value === null ? undefined : requireObject(value, field);
}

export function requireString(value: unknown, field: string, min = 1, max = 255): string {
  if (value === undefined || value === null) throw badRequest(`${field}: is required`);
  if (typeof value !== 'string') throw badRequest(`${field}: must be a string`);
  if (value.trim().length < min) throw badRequest(`${field}: must be at least ${min} characters long`);
  if (value.length > max) throw badRequest(`${field}: must be at most ${max} characters long`);
  return value;
}

export function optionalString(value: unknown, field: string, min = 0, max = 255): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field, min, max);
}

export function requireEmail(value: unknown, field: string): string {
  const email = requireString(value, field, 3, 320);
  if (!EMAIL.test(email)) throw badRequest(`${field}: "${email.slice(0, 80)}" is not a valid email address`);
  return email;
}

export function optionalEmail(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : requireEmail(value, field);
}

export function optionalCurrency(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const currency = requireString(value, field, 3, 3);
  if (!CURRENCY.test(currency)) throw badRequest(`${field}: must be an ISO-4217 currency code such as "EUR"`);
  return currency;
}

export function requireCurrency(value: unknown, field: string): string {
  if (value === undefined || value === null) throw badRequest(`${field}: is required`);
  return optionalCurrency(value, field)!;
}

export function optionalInteger(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`${field}: must be an integer`);
  if (value < min || value > max) throw badRequest(`${field}: must be between ${min} and ${max}`);
  return value;
}

export function requireNumber(value: unknown, field: string): number {
  if (value === undefined || value === null) throw badRequest(`${field}: is required`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`${field}: must be a number`);
  return value;
}

export function optionalNumber(value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : requireNumber(value, field);
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${field}: must be true or false`);
  return value;
}

export function requireEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (value === undefined || value === null) throw badRequest(`${field}: is required (one of ${allowed.join(', ')})`);
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw badRequest(`${field}: must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionalEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
  return value === undefined || value === null ? undefined : requireEnum(value, field, allowed);
}

export function requireArray(value: unknown, field: string, min: number, max: number): unknown[] {
  if (value === undefined || value === null) throw badRequest(`${field}: is required`);
  if (!Array.isArray(value)) throw badRequest(`${field}: must be an array`);
  if (value.length < min) throw badRequest(`${field}: must contain at least ${min} item${min === 1 ? '' : 's'}`);
  if (value.length > max) throw badRequest(`${field}: must contain at most ${max} items`);
  return value;
}

/** ISO-8601 date-time (Togai accepts offsets or Z); returns epoch ms. */
export function requireDateTime(value: unknown, field: string): number {
  const text = requireString(value, field, 1, 64);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) || Number.isNaN(ms)) {
    throw badRequest(`${field}: "${text}" is not an ISO-8601 date-time (e.g. 2024-01-31T00:00:00Z)`);
  }
  return ms;
}

export function optionalDateTime(value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : requireDateTime(value, field);
}

export function stringMap(value: unknown, field: string, maxValueLength = 2000): Record<string, string> {
  const obj = requireObject(value, field);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw badRequest(`${field}.${key}: must be a string`);
    if (v.length > maxValueLength) throw badRequest(`${field}.${key}: must be at most ${maxValueLength} characters long`);
    out[key] = v;
  }
  return out;
}

export interface TogaiAddress {
  line1?: string;
  line2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  phoneNumber?: string;
}

export function parseAddress(value: unknown, field: string): TogaiAddress {
  const obj = requireObject(value, field);
  const address: TogaiAddress = {};
  for (const key of ['line1', 'line2', 'city', 'state', 'postalCode', 'phoneNumber'] as const) {
    const text = optionalString(obj[key], `${field}.${key}`, 0, 255);
    if (text !== undefined) address[key] = text;
  }
  const country = optionalString(obj.country, `${field}.country`, 2, 2);
  if (country !== undefined) {
    if (!COUNTRY.test(country)) throw badRequest(`${field}.country: must be an ISO-3166 alpha-2 code such as "DE"`);
    address.country = country;
  }
  return address;
}

/** Customer.billingAddress: the address as one line (≤1000 chars). */
export function formatBillingAddress(address: TogaiAddress | undefined): string {
  if (!address) return '';
  return [address.line1, address.line2, address.city, address.state, address.postalCode, address.country]
    .filter((part) => part && part.trim())
    .join(', ')
    .slice(0, 1000);
}
