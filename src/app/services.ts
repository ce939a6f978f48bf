import type { DataSource } from 'typeorm';
import type { ContainerType } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver';
import { AuthService } from '../auth/auth.service';
import { TokenService } from '../auth/tokens';
import type { Clock } from '../common/clock';
import type { Config } from '../config/config';
import { RegistryResolver } from '../modules/registry/registry.resolver';
import { RegistryService } from '../modules/registry/registry.service';
import { SessionResolver } from '../modules/sessions/session.resolver';
import { SessionService } from '../modules/sessions/session.service';
import { SpeechResolver } from '../modules/sessions/speech.resolver';
import { ThemeResolver } from '../modules/themes/theme.resolver';
import { ThemeService } from '../modules/themes/theme.service';

/** Wires the services once per process; resolvers get theirs through the container below. */
export function createServices(ds: DataSource, config: Pick<Config, 'jwtSecret'>, clock: Clock) {
  const tokens = new TokenService(config.jwtSecret, clock);
  const themes = new ThemeService(ds, clock);
  return {
    tokens,
    auth: new AuthService(ds, tokens),
    registry: new RegistryService(ds),
    themes,
    sessions: new SessionService(ds, clock, themes),
  };
}

export type Services = ReturnType<typeof createServices>;

/** type-graphql asks the container for each resolver class; each is built once with its service. */
export function resolverContainer(s: Services): ContainerType {
  const instances = new Map<Function, object>([
    [AuthResolver, new AuthResolver(s.auth)],
    [RegistryResolver, new RegistryResolver(s.registry)],
    [ThemeResolver, new ThemeResolver(s.themes)],
    [SessionResolver, new SessionResolver(s.sessions)],
    [SpeechResolver, new SpeechResolver()],
  ]);
  return {
    get(cls: Function) {
      const instance = instances.get(cls);
      if (!instance) throw new Error(`resolver ${cls.name} is not wired in resolverContainer`);
      return instance;
    },
  };
}
