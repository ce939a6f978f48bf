import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { AuthContext } from '../../auth/context';
import { Archive } from './archive.entity';
import { ArchiveService } from './archive.service';

@ObjectType({ simpleResolvers: true, description: 'The result of re-verifying every sealed archive.' })
class ArchiveChainStatus {
  @Field({ description: 'True when every document hashes to its contentHash and every link names the archive before it.' })
  valid: boolean;

  @Field(() => Int, { description: 'How many archives the chain holds.' })
  length: number;

  @Field(() => ID, { nullable: true, description: 'The session of the first archive that fails verification.' })
  brokenAt: string | null;
}

@Resolver()
export class ArchiveResolver {
  constructor(private readonly archives: ArchiveService) {}

  @Mutation(() => Archive, { description: 'Seals a CLOSED session into the archive chain; afterwards any change to it fails with ARCHIVE_SEALED (admin).' })
  sealArchive(@Arg('sessionId', () => ID) sessionId: string, @Ctx() ctx: AuthContext): Promise<Archive> {
    return this.archives.seal(ctx.principal, sessionId);
  }

  @Query(() => Archive, { nullable: true, description: 'The sealed archive of a session, or null if it is not sealed.' })
  archive(@Arg('sessionId', () => ID) sessionId: string): Promise<Archive | null> {
    return this.archives.archive(sessionId);
  }

  @Query(() => ArchiveChainStatus, { description: 'Re-verifies every stored archive and names the first broken link.' })
  archiveChain(): Promise<ArchiveChainStatus> {
    return this.archives.verifyChain();
  }
}
