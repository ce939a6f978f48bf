import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../common/pagination';
import { Notification } from './notification.entity';

@ObjectType({ simpleResolvers: true, description: 'An edge to a Notification.' })
export class NotificationEdge {
  @Field(() => Notification, { description: 'The item.' })
  node: Notification;

  @Field({ description: 'Opaque cursor of this item.' })
  cursor: string;
}

@ObjectType({ simpleResolvers: true, description: 'A page of the caller’s notices, newest first, with how many are unread.' })
export class NotificationConnection {
  @Field(() => [NotificationEdge], { description: 'The items of this page, in order.' })
  edges: NotificationEdge[];

  @Field(() => PageInfo, { description: 'Where this page stands.' })
  pageInfo: PageInfo;

  @Field(() => Int, { description: 'How many items match, over all pages.' })
  totalCount: number;

  @Field(() => Int, { description: 'How many of the caller’s notices are unread, whatever the filter.' })
  unreadCount: number;
}
