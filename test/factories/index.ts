import type { EntityManager } from 'typeorm';
import { hashPassword } from '../../src/auth/passwords';
import { User } from '../../src/auth/user.entity';
import { Cadre } from '../../src/modules/registry/cadre.entity';
import { Region } from '../../src/modules/registry/region.entity';
import { RoomPhase } from '../../src/modules/sessions/session-enums';
import { Session } from '../../src/modules/sessions/session.entity';
import { Theme, ThemeStatus } from '../../src/modules/themes/theme.entity';
import { ThemeCall } from '../../src/modules/themes/theme-call.entity';

export const FACTORY_PASSWORD = 'factory-password';
let hash: Promise<string> | null = null;
let seq = 0;
const next = () => ++seq;

export function buildRegion(overrides: Partial<Region> = {}): Partial<Region> {
  const n = next();
  return { code: `region-${n}`, name: `测试区${n}`, nameEn: `Test District ${n}`, ...overrides };
}

export async function createRegion(m: EntityManager, overrides: Partial<Region> = {}): Promise<Region> {
  return m.save(Region, m.create(Region, buildRegion(overrides)));
}

export async function buildUser(overrides: Partial<User> = {}): Promise<Partial<User>> {
  const n = next();
  return { username: `user${n}`, displayName: `用户${n}`, roles: ['voter'], regionId: null, passwordHash: await (hash ??= hashPassword(FACTORY_PASSWORD)), ...overrides };
}

export async function createUser(m: EntityManager, overrides: Partial<User> = {}): Promise<User> {
  return m.save(User, m.create(User, await buildUser(overrides)));
}

export async function createCadre(m: EntityManager, overrides: Partial<Cadre> = {}): Promise<Cadre> {
  const regionId = overrides.regionId ?? (await createRegion(m)).id;
  const n = next();
  return m.save(Cadre, m.create(Cadre, { name: `干部${n}`, position: '副县长', regionId, userId: null, ...overrides }));
}

export async function createTheme(m: EntityManager, overrides: Partial<Theme> = {}): Promise<Theme> {
  const proposedById = overrides.proposedById ?? (await createUser(m, { roles: ['leader'] })).id;
  const n = next();
  return m.save(Theme, m.create(Theme, { title: `主题${n}`, description: '说明', rationale: '', status: ThemeStatus.APPROVED, proposedById, ...overrides }));
}

export async function createSession(m: EntityManager, overrides: Partial<Session> = {}): Promise<Session> {
  const themeId = overrides.themeId ?? (await createTheme(m)).id;
  const number = overrides.number ?? next();
  return m.save(Session, m.create(Session, { number, title: `第${number}期`, themeId, startsAt: new Date('2026-04-01T01:00:00Z'), venue: '报告厅', phase: RoomPhase.SCHEDULED, ...overrides }));
}

/**
 * A session numbered after the highest 期数 so far, exactly as `scheduleSession` numbers them, so factory sessions
 * and scheduled ones can be mixed in one database without two sharing a number.
 */
export async function createNextSession(m: EntityManager, overrides: Partial<Session> = {}): Promise<Session> {
  const last = await m.getRepository(Session).find({ order: { number: 'DESC' }, take: 1 });
  return createSession(m, { number: (last[0]?.number ?? 0) + 1, ...overrides });
}

export async function createThemeCall(m: EntityManager, overrides: Partial<ThemeCall> = {}): Promise<ThemeCall> {
  const n = next();
  return m.save(ThemeCall, m.create(ThemeCall, { title: `征集${n}`, description: '请各位市领导提出主题', closesAt: new Date('2026-03-15T00:00:00Z'), ...overrides }));
}
