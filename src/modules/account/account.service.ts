import { createHash, randomBytes } from 'node:crypto';
import { DataSource, FindOptionsWhere, In, IsNull, Like, MoreThan } from 'typeorm';
import { BadUserInputError, ConflictError, NotFoundError, UnauthenticatedError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { RateLimiter, RateStore } from '../../common/rate-limiter';
import { parseId } from '../../common/ids';
import { inTransaction } from '../../db/transaction';
import type { Clock } from '../../common/clock';
import { journal } from '../journal/journal';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import type { CreateUserInput } from './account.inputs';
import { decoyPasswordHash, hashIsOutdated, hashPassword, PasswordHasher, verifyPassword } from '../../auth/passwords';
import type { Principal } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import type { TokenService } from '../../auth/tokens';
import { User } from '../../auth/user.entity';
import { Attendee } from '../sessions/attendee.entity';
import { SignInGuard } from './sign-in-guard';
import { SignInLink } from './sign-in.entity';
import { accountKey, sourceKey } from './sign-in-throttle';

/** A personal link stays valid for a day after its session starts (or after it is issued, if that is later). */
const LINK_VALID_MS = 24 * 3600_000;
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface SignInData {
  token: string;
  user: User;
  /** The session a personal link was issued for; null after a password sign-in. */
  sessionId: string | null;
}

/** Where a sign-in comes from, for the throttle and the security log. */
export interface SignInRequest {
  ip: string | null;
  requestId: string | null;
}

export interface IssuedSignInLink {
  user: User;
  url: string;
  expiresAt: Date;
}

export interface AccountOptions {
  hasher?: PasswordHasher;
  /** The address links start with (PUBLIC_URL); without it they are paths. */
  publicUrl?: string | null;
}

/** Accounts: signing in (by password or personal link), the throttle, screen tokens, creating and listing users. */
export class AccountService {
  private readonly screenTokens: RateLimiter;
  private readonly guard: SignInGuard;
  private readonly hasher: PasswordHasher;
  private readonly publicUrl: string;

  constructor(
    private readonly ds: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    rates: RateStore,
    private readonly logger: Logger,
    options: AccountOptions = {},
  ) {
    this.screenTokens = new RateLimiter('screen tokens', [{ limit: 10, windowMs: 60_000 }], rates);
    this.guard = new SignInGuard(ds, rates, clock, logger);
    this.hasher = options.hasher ?? new PasswordHasher();
    this.publicUrl = options.publicUrl ?? '';
  }

  /**
   * Same answer, same work, for an unknown user and a wrong password: the response tells nothing about which.
   * Guessing is throttled by account and source (sign-in-throttle.ts); each check is taken from its window before
   * the password is hashed, in a bounded hashing slot (SERVICE_UNAVAILABLE with retryAfterMs when all are taken).
   * A hash made with older parameters is replaced on success.
   */
  /** Throws the retryable ServiceBusyError a sign-in arriving now would get, before any other work (login-gate.ts). */
  admitSignIn(): void {
    this.hasher.admit();
  }

  async login(username: string, password: string, request: SignInRequest): Promise<SignInData> {
    const attempt = { account: accountKey(username), source: sourceKey(request.ip), requestId: request.requestId };
    // A full line is refused before any other work, so a storm's refusals cost next to nothing.
    this.hasher.admit();
    const hadFailures = await this.guard.admit(attempt);
    const plausible = username.length <= 64 && password.length <= 200;
    const user = plausible ? await this.ds.getRepository(User).findOneBy({ username }) : null;
    const hash = user?.passwordHash ?? (await decoyPasswordHash());
    const { ok, upgraded } = await this.hasher.run(async () => {
      await this.guard.take(attempt);
      const ok = await verifyPassword(hash, password);
      return { ok, upgraded: ok && user && hashIsOutdated(hash) ? await hashPassword(password) : null };
    });
    if (!user || !ok) {
      await this.guard.failed(attempt);
      throw new UnauthenticatedError('wrong username or password');
    }
    if (upgraded) {
      await inTransaction(this.ds, (m) => m.getRepository(User).update({ id: user.id, passwordHash: hash }, { passwordHash: upgraded }));
      this.logger.info({ event: 'password-hash-upgraded', userId: user.id }, 'password hash upgraded to the current parameters');
    }
    await this.guard.succeeded(attempt, hadFailures);
    return { token: await this.tokens.signUser(user), user, sessionId: null };
  }

  /** Clears every sign-in count of an account, from every source (admin). */
  async unlockAccount(username: string, actorId: number | null, requestId: string | null = null): Promise<boolean> {
    const user = await this.ds.getRepository(User).findOneBy({ username });
    if (!user) throw new NotFoundError('user', username, 'username');
    const cleared = await this.guard.clear(accountKey(username), { actorId, requestId });
    await inTransaction(this.ds, (m) => journal(m, this.clock, { actorId, action: 'unlockAccount', entity: 'User', entityId: user.id, after: { streaksCleared: cleared } }));
    return true;
  }

  /**
   * One personal sign-in link per attendee of a session (secretary, admin). Issuing again replaces each attendee's
   * earlier link for the session. Only a hash of each token is stored; the links are returned this once.
   */
  async issueSignInLinks(rawSessionId: string, actorId: number | null): Promise<IssuedSignInLink[]> {
    const sessionId = parseId('session', rawSessionId, 'sessionId');
    const session = await this.ds.getRepository(Session).findOneBy({ id: sessionId });
    if (!session) throw new NotFoundError('session', sessionId, 'sessionId');
    const attendees = await this.ds.getRepository(Attendee).find({ where: { sessionId }, order: { userId: 'ASC' } });
    const users = await this.ds.getRepository(User).findBy({ id: In(attendees.map((a) => a.userId)) });
    const now = this.clock.now();
    const expiresAt = new Date(Math.max(session.startsAt.getTime(), now.getTime()) + LINK_VALID_MS);
    const issued = users.map((user) => ({ user, token: randomBytes(32).toString('base64url') }));
    await inTransaction(this.ds, async (m) => {
      await m.getRepository(SignInLink).update({ sessionId, revokedAt: IsNull() }, { revokedAt: now });
      if (issued.length) await m.getRepository(SignInLink).insert(issued.map(({ user, token }) => ({ tokenHash: sha256(token), userId: user.id, sessionId, expiresAt, revokedAt: null, lastUsedAt: null })));
      await journal(m, this.clock, { actorId, action: 'issueSignInLinks', entity: 'Session', entityId: sessionId, after: { links: issued.length, expiresAt } });
    });
    return issued.map(({ user, token }) => ({ user, url: `${this.publicUrl}/signin/${token}`, expiresAt }));
  }

  /** Signs in with a personal link's token: no password, no hashing, not throttled; a stale link is refused. */
  async signInWithLink(token: string, request: SignInRequest): Promise<SignInData> {
    const refused = new UnauthenticatedError('this sign-in link is not valid (any more): ask the secretary for a new one, or sign in with your password');
    if (!LINK_TOKEN.test(token)) throw refused;
    const link = await this.ds.getRepository(SignInLink).findOneBy({ tokenHash: sha256(token) });
    const now = this.clock.now();
    if (!link || link.revokedAt || link.expiresAt <= now) {
      this.logger.warn({ event: 'sign-in-link-refused', source: sourceKey(request.ip), requestId: request.requestId, known: !!link }, 'sign-in link refused');
      throw refused;
    }
    const user = await this.ds.getRepository(User).findOneBy({ id: link.userId });
    if (!user) throw refused;
    await inTransaction(this.ds, (m) => m.getRepository(SignInLink).update({ id: link.id }, { lastUsedAt: now }));
    return { token: await this.tokens.signUser(user), user, sessionId: String(link.sessionId) };
  }

  async me(principal: Principal | null): Promise<User | null> {
    if (principal?.kind !== 'user') return null;
    return this.ds.getRepository(User).findOneBy({ id: principal.userId });
  }

  async issueScreenToken(sessionId: string, actorId: number | null): Promise<string> {
    await this.screenTokens.take(`user:${actorId}`);
    const id = parseId('session', sessionId, 'sessionId');
    if (!(await this.ds.getRepository(Session).existsBy({ id }))) throw new NotFoundError('session', id, 'sessionId');
    return this.tokens.signScreen(id);
  }

  async createUser(input: CreateUserInput, actorId: number | null): Promise<User> {
    if (input.roles.includes('screen')) throw new BadUserInputError('SCREEN is a token, not a role a person can hold', 'input.roles');
    const repo = this.ds.getRepository(User);
    if (await repo.existsBy({ username: input.username })) throw new ConflictError(`username ${input.username} is taken`, 'input.username');
    let regionId: number | null = null;
    if (input.regionId !== undefined && input.regionId !== null) {
      regionId = parseId('region', input.regionId, 'input.regionId');
      if (!(await this.ds.getRepository(Region).existsBy({ id: regionId }))) throw new NotFoundError('region', regionId, 'input.regionId');
    }
    const passwordHash = await this.hasher.run(() => hashPassword(input.password));
    return inTransaction(this.ds, async (m) => {
      const user = await m.save(User, m.create(User, { username: input.username, displayName: input.displayName.trim(), passwordHash, roles: [...new Set(input.roles)], regionId }));
      const { passwordHash: _secret, ...visible } = user;
      await journal(m, this.clock, { actorId, action: 'createUser', entity: 'User', entityId: user.id, after: visible });
      return user;
    });
  }

  async users(args: { role?: Role; first?: number; after?: string }): Promise<Connection<User>> {
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    const afterId = decodeCursor('user', args.after);
    // roles is a comma-separated column; role names contain no commas, so a padded LIKE is exact.
    const where: FindOptionsWhere<User>[] = args.role
      ? [{ roles: Like(args.role) as never }, { roles: Like(`${args.role},%`) as never }, { roles: Like(`%,${args.role}`) as never }, { roles: Like(`%,${args.role},%`) as never }]
      : [{}];
    const withCursor = afterId === null ? where : where.map((w) => ({ ...w, id: MoreThan(afterId) }));
    const repo = this.ds.getRepository(User);
    const [rows, total] = await Promise.all([
      repo.find({ where: withCursor, order: { id: 'ASC' }, take: limit + 1 }),
      repo.count({ where }),
    ]);
    return toConnection(rows, limit, total, afterId !== null, (u) => encodeCursor('user', u.id));
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
