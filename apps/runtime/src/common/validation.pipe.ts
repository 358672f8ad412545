import { PipeTransform } from '@nestjs/common';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from './ajv.js';
import { CommonError, CommonErrorCode } from './braid.error.js';

const ajv = createAjv();

/** JSON pointer of the value an ajv error is about (the missing or unexpected property included). */
export function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  return child === undefined ? error.instancePath : `${error.instancePath}/${escape(child)}`;
}

function describe(error: ErrorObject, pointer: string): string {
  const where = pointer === '' ? 'The body' : `${pointer}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${where} is required.`;
    case 'additionalProperties':
      return `${where} is not an accepted property; remove it.`;
    case 'type':
      return `${where} must be of type ${String(params.type)}.`;
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    default:
      return `${where} ${error.message ?? 'is invalid'}.`;
  }
}

/**
 * Validates a request body against a JSON Schema (the same object given to `@ApiBody({ schema })`).
 * Bad input → 400 VALIDATION_FAILED with the JSON pointer of the first problem.
 */
export class AjvValidationPipe<T> implements PipeTransform<unknown, T> {
  private readonly validate: ValidateFunction;

  constructor(schema: Record<string, unknown>) {
    this.validate = ajv.compile(schema);
  }

  transform(value: unknown): T {
    if (this.validate(value)) return value as T;
    const first = this.validate.errors?.[0];
    const pointer = first ? pointerOf(first) : '';
    throw new CommonError(
      CommonErrorCode.VALIDATION_FAILED,
      first ? describe(first, pointer) : 'The request body is invalid.',
      { pointer },
    );
  }
}

/** Shorthand: `@Body(validBody<LoginBody>(loginBodySchema)) body: LoginBody`. */
export function validBody<T>(schema: Record<string, unknown>): AjvValidationPipe<T> {
  return new AjvValidationPipe<T>(schema);
}
