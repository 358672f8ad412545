import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS: under Node's ESM loader the default import is module.exports, whose
// `.default` is the plugin itself; under the test bundler it is the plugin too. `.default` works for both.
const addFormats = (ajvFormats as unknown as { default: typeof ajvFormats.default }).default;

/** One ajv configuration (JSON Schema 2020-12 + formats) for API bodies, config and later flow schemas. */
export function createAjv(options: { coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: false, strict: false, coerceTypes: options.coerceTypes ?? false });
  addFormats(ajv);
  return ajv;
}
