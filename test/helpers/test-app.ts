import { ApolloServer } from '@apollo/server';
import type { DataSource } from 'typeorm';
import type { AppContext } from '../../src/app/context';
import { graphqlHttpOptions } from '../../src/app/graphql-http';
import { createLogger } from '../../src/common/logger';
import { buildAppSchema } from '../../src/app/schema';
import { contextFactory } from '../../src/app/server';
import { resolverContainer } from '../../src/app/resolvers';
import { createServices, Services } from '../../src/app/services';
import { User } from '../../src/auth/user.entity';
import { ManualClock } from '../../src/common/clock';
import type { BallotModeSetting } from '../../src/config/config';
import { LocalPubSub } from '../../src/pubsub/local-pubsub';
import { createTestDataSource, EngineName } from './engines';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-!';
export const TEST_NOW = '2026-03-01T08:00:00.000Z';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any>; path?: readonly (string | number)[] }[];
}

export interface TestApp {
  ds: DataSource;
  clock: ManualClock;
  services: Services;
  /** Runs one operation through Apollo with the same schema, middlewares and context as the server. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResult<T>>;
  tokenFor(user: User): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * How evaluations take ballots. The server's default is the blind box; the tests default to SIMPLE (castBallot),
   * which most of them cast with, and ask for the blind box where they test it.
   */
  ballotMode?: BallotModeSetting;
}

export async function createTestApp(engine: EngineName, options: TestAppOptions = {}): Promise<TestApp> {
  const ds = await createTestDataSource(engine);
  const clock = new ManualClock(TEST_NOW);
  const logger = createLogger('silent');
  const config = { jwtSecret: TEST_JWT_SECRET, ballotMode: options.ballotMode ?? 'simple' } as const;
  const services = createServices({ ds, config, clock, pubsub: new LocalPubSub(), logger });
  const schema = await buildAppSchema({ container: resolverContainer(services), logger });
  // As a deployed server runs GraphQL over HTTP (limits, guard, masking, no stack traces), with every query
  // compiled from its first run.
  const apollo = new ApolloServer<AppContext>(graphqlHttpOptions({ schema, logger, production: true, mayIntrospect: () => true, compileOnRun: 1 }));
  await apollo.start();
  const contextFor = contextFactory(ds, services);
  return {
    ds,
    clock,
    services,
    async gql(query, variables, token) {
      const res = await apollo.executeOperation(
        { query, variables },
        { contextValue: await contextFor(token ? `Bearer ${token}` : undefined) },
      );
      if (res.body.kind !== 'single') throw new Error('expected a single result');
      return res.body.singleResult as GqlResult<any>;
    },
    tokenFor: (user) => services.tokens.signUser(user),
    async close() {
      await apollo.stop();
      await services.close();
      await ds.destroy();
    },
  };
}

/** The error code of the first error, for terse assertions. */
export function codeOf(result: GqlResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
