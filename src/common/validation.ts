import { Matches, ValidateBy, ValidationOptions } from 'class-validator';
import { BadUserInputError } from './errors';

/** Text that is not only whitespace; combined with @Chars so a name of spaces fails like an empty one. */
export const NotBlank = () => Matches(/\S/, { message: '$property must not be blank' });

/**
 * Length in Unicode code points — what a utf8mb4 VARCHAR(n) counts — so a value that passes here fits the column
 * on MySQL and SQLite alike (class-validator's @Length skips variation selectors and would let too much through).
 */
export function Chars(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'chars',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && [...value].length >= min && [...value].length <= max,
        defaultMessage: () => `$property must be ${min}–${max} characters`,
      },
    },
    options,
  );
}

/** A client's idempotency key (a retry with the same one returns the first result): 1–64 characters, or none. */
export const MAX_CLIENT_ID_CHARS = 64;

export function checkClientId(clientId: string | null | undefined): void {
  if (clientId != null && (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_CHARS)) {
    throw new BadUserInputError(`clientId must be 1–${MAX_CLIENT_ID_CHARS} characters`, 'clientId');
  }
}
