import { In, IsNull, LessThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { requireActorId, type Principal } from '../../auth/principal';
import type { Clock } from '../../common/clock';
import { BadUserInputError } from '../../common/errors';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, toConnection } from '../../common/pagination';
import { inTransaction } from '../../db/transaction';
import { Notification } from './notification.entity';
import type { NotificationConnection } from './notification.types';

export const MAX_MARK_READ = 200;
const CURSOR_KIND = 'notification';

/** The caller's own notices: reading them and marking them read. Nobody reads another person's. */
export class NotificationService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async myNotifications(principal: Principal | null, args: { first?: number | null; after?: string | null; unreadOnly?: boolean | null }): Promise<NotificationConnection> {
    const userId = requireActorId(principal);
    const limit = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new BadUserInputError(`first must be 1 to ${MAX_PAGE_SIZE}`, 'first');
    const before = decodeCursor(CURSOR_KIND, args.after);
    const where: FindOptionsWhere<Notification> = args.unreadOnly ? { userId, readAt: IsNull() } : { userId };
    const repo = this.ds.getRepository(Notification);
    const [rows, totalCount, unreadCount] = await Promise.all([
      repo.find({ where: before === null ? where : { ...where, id: LessThan(before) }, order: { id: 'DESC' }, take: limit + 1 }),
      repo.countBy(where),
      args.unreadOnly ? null : repo.countBy({ userId, readAt: IsNull() }),
    ]);
    const page = toConnection(rows, limit, totalCount, before !== null, (n) => encodeCursor(CURSOR_KIND, n.id));
    return { ...page, unreadCount: unreadCount ?? totalCount };
  }

  /** Marks the caller's own unread notices among `ids` read; returns how many changed. Ids of others' notices, or of none, are ignored. */
  async markRead(principal: Principal | null, rawIds: readonly string[]): Promise<number> {
    const userId = requireActorId(principal);
    if (rawIds.length > MAX_MARK_READ) throw new BadUserInputError(`give at most ${MAX_MARK_READ} ids`, 'ids');
    const ids = [...new Set(rawIds.map((raw, i) => {
      if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new BadUserInputError(`ids.${i}: "${raw}" is not a notification id`, 'ids');
      return Number(raw);
    }))];
    if (ids.length === 0) return 0;
    return inTransaction(this.ds, async (m) => {
      const repo = m.getRepository(Notification);
      const mine = await repo.find({ select: { id: true }, where: { id: In(ids), userId, readAt: IsNull() } });
      if (mine.length === 0) return 0;
      await repo.update({ id: In(mine.map((n) => n.id)), userId, readAt: IsNull() }, { readAt: this.clock.now() });
      return mine.length;
    });
  }
}
