import { Arg, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { MoreThan } from 'typeorm';
import { JournalEntry } from './journal.entity';
import { verifyJournal } from './journal';

@ObjectType({ simpleResolvers: true, description: 'The result of re-verifying the audit trail.' })
class JournalChainStatus {
  @Field({ description: 'True when every entry hashes correctly and links to the one before.' })
  valid: boolean;

  @Field(() => Int, { description: 'How many entries the trail holds.' })
  length: number;

  @Field(() => Int, { nullable: true, description: 'The seq of the first entry that fails verification.' })
  brokenAt: number | null;
}

@Resolver()
export class JournalResolver {
  constructor(private readonly ds: DataSource) {}

  @Query(() => [JournalEntry], { description: 'The audit trail in order, from after `afterSeq`, at most 100 entries (admin, secretary, auditor).' })
  journal(@Arg('afterSeq', () => Int, { nullable: true }) afterSeq: number | null): Promise<JournalEntry[]> {
    return this.ds.getRepository(JournalEntry).find({ where: { seq: MoreThan(afterSeq ?? 0) }, order: { seq: 'ASC' }, take: 100 });
  }

  @Query(() => JournalChainStatus, { description: 'Re-verifies the whole audit trail and names the first broken entry.' })
  journalChain(): Promise<JournalChainStatus> {
    return verifyJournal(this.ds);
  }
}
