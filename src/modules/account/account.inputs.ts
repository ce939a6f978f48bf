import { Field, ID, InputType } from 'type-graphql';
import { ArrayMaxSize, ArrayMinSize, IsOptional, Matches } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';
import { RoleEnum } from '../../auth/user.entity';
import type { Role } from '../../auth/roles';

@InputType({ description: 'A new account.' })
export class CreateUserInput {
  @Field({ description: 'Login name: 3–64 letters, digits, dot, dash or underscore.' })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'username must be 3–64 letters, digits, dots, dashes or underscores' })
  username: string;

  @Field({ description: 'Name shown to others, 1–100 characters.' })
  @Chars(1, 100)
  @NotBlank()
  displayName: string;

  @Field({ description: 'Initial password, 8–200 characters.' })
  @Chars(8, 200)
  password: string;

  @Field(() => [RoleEnum], { description: 'Roles, at least one; SCREEN is not a person’s role.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  roles: Role[];

  @Field(() => ID, { nullable: true, description: 'Region the person belongs to.' })
  @IsOptional()
  regionId?: string;
}
