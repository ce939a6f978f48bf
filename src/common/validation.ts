import { Matches } from 'class-validator';

/** Text that is not only whitespace; combined with @Length so a name of spaces fails like an empty one. */
export const NotBlank = () => Matches(/\S/, { message: '$property must not be blank' });
