import { Matches, ValidateBy, ValidationOptions } from 'class-validator';

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
