import { DataSource, FindOptionsWhere, Like, MoreThan } from 'typeorm';
import { BadUserInputError, ConflictError, NotFoundError, RateLimitedError, UnauthenticatedError } from '../../common/errors';
import { RateLimiter, RateStore } from '../../common/rate-limiter';
import { parseId } from '../../common/ids';
import { inTransaction } from '../../db/transaction';
import type { Clock } from '../../common/clock';
import { journal } from '../journal/journal';
import { Connection, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, toConnection } from '../../common/pagination';
import { Region } from '../registry/region.entity';
import { Session } from '../sessions/session.entity';
import type { CreateUserInput } from './account.inputs';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../auth/passwords';
import type { Principal } from '../../auth/principal';
import type { Role } from '../../auth/roles';
import type { TokenService } from '../../auth/tokens';
import { User } from '../../auth/user.entity';

const FAILURES_PER_MINUTE = 5;
const LOCKOUT_AFTER = 100;
const LOCKOUT_WINDOW_MS = 30 * 86_400_000;

export interface SignInData {
  token: string;
  user: User;
}

/** Accounts: signing in, the lockout after repeated failures, screen tokens, creating and listing users. */
export class AccountService {
  constructor(
    private readonly ds: DataSource,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly rates: RateStore,
  ) {
    this.screenTokens = new RateLimiter('screen tokens', [{ limit: 10, windowMs: 60_000 }], rates);
  }

  private readonly screenTokens: RateLimiter;

  /**
   * Same answer, same work, for an unknown user and a wrong password: the response tells nothing about which.
   * Guessing is slowed: five failures a minute per account and per address, then RATE_LIMITED; an account with a
   * hundred failures in a row is locked until an admin unlocks it.
   */
  async login(username: string, password: string, ip: string | null): Promise<SignInData> {
    const account = username.toLowerCase().slice(0, 64);
    const keys = [`login-failures:user:${account}`, ...(ip ? [`login-failures:ip:${ip}`] : [])];
    if ((await this.rates.peek(`login-streak:${account}`)) >= LOCKOUT_AFTER) {
      throw new RateLimitedError(`this account is locked after ${LOCKOUT_AFTER} failed sign-ins in a row; an admin can unlock it`, LOCKOUT_WINDOW_MS);
    }
    for (const key of keys) {
      if ((await this.rates.peek(key)) >= FAILURES_PER_MINUTE) throw new RateLimitedError('too many failed sign-ins; try again in a minute', 60_000);
    }
    const plausible = username.length <= 64 && password.length <= 200;
    const user = plausible ? await this.ds.getRepository(User).findOneBy({ username }) : null;
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
    if (!user || !ok) {
      await Promise.all([...keys.map((k) => this.rates.hit(k, 60_000)), this.rates.hit(`login-streak:${account}`, LOCKOUT_WINDOW_MS)]);
      throw new UnauthenticatedError('wrong username or password');
    }
    await this.rates.reset(`login-streak:${account}`);
    return { token: await this.tokens.signUser(user), user };
  }

  /** Lifts the lockout of an account (admin). */
  async unlockAccount(username: string, actorId: number | null): Promise<boolean> {
    const account = username.toLowerCase().slice(0, 64);
    const user = await this.ds.getRepository(User).findOneBy({ username });
    if (!user) throw new NotFoundError('user', username, 'username');
    await this.rates.reset(`login-streak:${account}`);
    await inTransaction(this.ds, (m) => journal(m, this.clock, { actorId, action: 'unlockAccount', entity: 'User', entityId: user.id }));
    return true;
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
    const passwordHash = await hashPassword(input.password);
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
