import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { checkAccess } from '../../auth/authorize.middleware';
import { requireActorId } from '../../auth/principal';
import type { AuthContext } from '../../auth/context';
import { PageArgs } from '../../common/pagination';
import { Notification } from './notification.entity';
import { NotificationService } from './notification.service';
import { NotificationConnection } from './notification.types';
import type { NotificationsContext } from './notifications.context';

@Resolver()
export class NotificationResolver {
  constructor(private readonly service: NotificationService) {}

  @Query(() => NotificationConnection, { description: 'The caller’s notices, newest first; `unreadOnly` leaves out those read. Anyone signed in, for their own only.' })
  myNotifications(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly: boolean | null,
    @Ctx() ctx: AuthContext,
  ): Promise<NotificationConnection> {
    return this.service.myNotifications(ctx.principal, { first: page.first, after: page.after, unreadOnly });
  }

  @Mutation(() => Int, { description: 'Marks the caller’s own notices read (at most 200 ids); returns how many changed. Ids of notices not the caller’s are ignored.' })
  markNotificationsRead(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: AuthContext): Promise<number> {
    return this.service.markRead(ctx.principal, ids);
  }

  @Subscription(() => Notification, {
    description: 'The caller’s new notices as they are produced, on whichever instance; those missed while away are in myNotifications.',
    subscribe: ({ context }) => {
      const ctx = context as NotificationsContext;
      checkAccess('Subscription', 'notificationAdded', ctx);
      return ctx.notices.added(requireActorId(ctx.principal));
    },
  })
  notificationAdded(@Root() notice: Notification): Notification {
    return notice;
  }
}
