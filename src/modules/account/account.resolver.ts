import { Arg, Args, ArgsType, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { CreateUserInput } from './account.inputs';
import type { AccountContext } from './account.context';
import { AccountService } from './account.service';
import { actorIdOf } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import { RoleEnum, User } from '../../auth/user.entity';

@ObjectType({ simpleResolvers: true, description: 'A signed-in session: the bearer token and who it belongs to.' })
class AuthPayload {
  @Field({ description: 'Send as `Authorization: Bearer <token>`; valid for 12 hours.' })
  token: string;

  @Field(() => User, { description: 'The signed-in user.' })
  user: User;

  @Field(() => ID, { nullable: true, description: 'The session a personal sign-in link was issued for (the hall opens it); null after a password sign-in.' })
  sessionId: string | null;
}

@ObjectType('SignInLink', { simpleResolvers: true, description: 'A personal sign-in link, shown once: print it or send it to its user only.' })
class SignInLinkType {
  @Field(() => User, { description: 'Whom it signs in.' })
  user: User;

  @Field({ description: 'Opens the hall signed in (`/signin/<token>`; absolute when PUBLIC_URL is set).' })
  url: string;

  @Field(() => Date, { description: 'After this it signs nobody in.' })
  expiresAt: Date;
}

export const UserConnection = ConnectionType(User, 'A page of users.');

@ArgsType()
class UsersArgs extends PageArgs {
  @Field(() => RoleEnum, { nullable: true, description: 'Only users holding this role.' })
  role?: Role;
}

@Resolver()
export class AccountResolver {
  constructor(private readonly accounts: AccountService) {}

  @Mutation(() => AuthPayload, {
    description:
      'Signs in. A wrong password and an unknown user fail alike, with UNAUTHENTICATED. Repeated failures slow further tries from the same address ' +
      '(RATE_LIMITED with retryAfterMs); when every password check is busy: SERVICE_UNAVAILABLE with retryable and retryAfterMs.',
  })
  login(@Arg('username') username: string, @Arg('password') password: string, @Ctx() ctx: AccountContext) {
    return this.accounts.login(username, password, ctx);
  }

  @Mutation(() => AuthPayload, { description: 'Signs in with the token of a personal sign-in link (the part after /signin/); UNAUTHENTICATED when it expired or was replaced.' })
  signInWithLink(@Arg('token') token: string, @Ctx() ctx: AccountContext) {
    return this.accounts.signInWithLink(token, ctx);
  }

  @Mutation(() => [SignInLinkType], { description: 'One personal sign-in link per registered attendee of the session (secretary, admin); replaces the links issued before.' })
  issueSignInLinks(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext) {
    return this.accounts.issueSignInLinks(sessionId, actorIdOf(ctx.principal));
  }

  @Mutation(() => Boolean, { description: 'Clears every sign-in delay and count of an account, from every address (admin).' })
  unlockAccount(@Arg('username') username: string, @Ctx() ctx: AccountContext): Promise<boolean> {
    return this.accounts.unlockAccount(username, actorIdOf(ctx.principal), ctx.requestId);
  }

  @Mutation(() => String, { description: 'A read-only token for the big screen, bound to one session (admin, chair, secretary).' })
  issueScreenToken(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext): Promise<string> {
    return this.accounts.issueScreenToken(sessionId, actorIdOf(ctx.principal));
  }

  @Query(() => User, { nullable: true, description: 'The signed-in user; null without a token or for a screen.' })
  me(@Ctx() ctx: AuthContext): Promise<User | null> {
    return this.accounts.me(ctx.principal);
  }

  @Mutation(() => User, { description: 'Creates an account (admin).' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: AuthContext): Promise<User> {
    return this.accounts.createUser(input, actorIdOf(ctx.principal));
  }

  @Query(() => UserConnection, { description: 'Accounts in creation order (secretary, admin), e.g. to register attendees.' })
  users(@Args(() => UsersArgs) args: UsersArgs) {
    return this.accounts.users(args);
  }
}
