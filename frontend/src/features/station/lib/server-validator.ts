import type { RJSFSchema, ValidationData, ValidatorType } from '@rjsf/utils';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matches(schema: RJSFSchema, value: unknown): boolean {
  if (schema.const !== undefined && value !== schema.const) return false;
  if (schema.enum && !schema.enum.includes(value as never)) return false;
  if (typeof schema.type === 'string' && value !== undefined) {
    const actual = typeOf(value);
    if (!(actual === schema.type || (schema.type === 'number' && actual === 'integer'))) return false;
  }
  if (schema.required && typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    if (schema.required.some((key) => object[key] === undefined)) return false;
  }
  return true;
}

/**
 * rjsf's validator for the station: the server is the validator (it checks every submission
 * against the same compiled form and answers in the worker's language, and the station puts each
 * problem on its field), so the browser does not validate again. `isValid` answers rjsf's
 * schema questions (which `oneOf` option a value matches) from `const`, `enum`, `type` and
 * `required`: all the rendered Lotline forms use. Leaving Ajv out keeps the station route small.
 */
export const serverValidator: ValidatorType = {
  validateFormData: (): ValidationData<unknown> => ({ errors: [], errorSchema: {} }),
  isValid: (schema, formData) => matches(schema, formData),
  rawValidation: () => ({ errors: [] }),
};
