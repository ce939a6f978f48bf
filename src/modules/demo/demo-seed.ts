import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { generateHistory } from './demo-history';
import { hashPassword } from '../../auth/passwords';
import { User } from '../../auth/user.entity';
import type { Clock } from '../../common/clock';
import { inTransaction } from '../../db/transaction';
import { Cadre } from '../registry/cadre.entity';
import { Region } from '../registry/region.entity';
import { runRoomCommand } from '../room/room-log';
import { recordAttendanceIn } from '../attendance/attendance-steps';
import { Attendee } from '../sessions/attendee.entity';
import { replaceLineup } from '../sessions/lineup';
import { RoomPhase } from '../sessions/session-enums';
import { Session } from '../sessions/session.entity';
import { Speech } from '../sessions/speech.entity';
import { Theme, ThemeStatus } from '../themes/theme.entity';
import { Claim, Commitment } from '../briefing/briefing.entity';
import { Indicator } from '../briefing/indicator.entity';
import { DEMO_ACCOUNTS, DEMO_BRIEFINGS, DEMO_CADRES, DEMO_INDICATORS, DEMO_REGIONS, DEMO_SESSIONS, DEMO_THEMES, DemoSession } from './demo-world.data';

export interface SeedSummary {
  created: number;
  accounts: string[];
}

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** The session the demo runs live: the next 09:00 in Chengde after seeding, on the key-projects theme. */
export function liveDemoSession(now: Date, number: number): DemoSession {
  const beijing = new Date(now.getTime() + BEIJING_OFFSET_MS);
  const nextDay = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() + 1, 9) - BEIJING_OFFSET_MS;
  const last = DEMO_SESSIONS[DEMO_SESSIONS.length - 1];
  return {
    ...last,
    number,
    title: `第${number}期（演示）“牢记总书记嘱托、聚力高质量发展”大培训、大比拼`,
    themeKey: 'key-projects',
    startsAt: new Date(nextDay).toISOString(),
    note: '演示用的待开场次',
  };
}

/**
 * Seeds the demo world (docs/README.md). Idempotent: every row is found by its natural key (code, username, name,
 * title, number) and only what is missing is added, so running it twice, or after a partial run, changes nothing
 * that is already there.
 */
export async function seedDemoWorld(ds: DataSource, clock: Clock, password: string, historySessions = 0): Promise<SeedSummary> {
  const summary = await inTransaction(ds, async (m) => {
    const seeder = new Seeder(m, password, clock);
    const regions = await seeder.regions();
    const users = await seeder.accounts(regions);
    const cadres = await seeder.cadres(regions, users);
    const themes = await seeder.themes(users);
    for (const session of DEMO_SESSIONS) await seeder.session(session, themes, cadres, users);
    await seeder.briefings(cadres, users.get('admin')!);
    return { created: seeder.created, accounts: [...users.keys()], themes, cadres, users };
  });
  let created = summary.created;
  if (historySessions > 0) {
    created += await generateHistory(ds, { ...DEMO_HISTORY, sessions: historySessions, now: clock.now() });
  }
  created += await inTransaction(ds, async (m) => {
    // One upcoming session to run live: the one already there (completed if partly seeded), or a new one.
    const upcoming = await m.getRepository(Session).findOne({ where: { startsAt: MoreThan(clock.now()) }, order: { number: 'ASC' } });
    if (upcoming && !upcoming.title.includes('（演示）')) return 0;
    const last = await m.getRepository(Session).find({ order: { number: 'DESC' }, take: 1 });
    const live = upcoming ? { ...liveDemoSession(clock.now(), upcoming.number), startsAt: upcoming.startsAt.toISOString() } : liveDemoSession(clock.now(), (last[0]?.number ?? 0) + 1);
    const seeder = new Seeder(m, password, clock);
    await seeder.session(live, summary.themes, summary.cadres, summary.users);
    return seeder.created;
  });
  return { created, accounts: summary.accounts };
}

/** A year of fortnightly sessions after the article's three, with 40 voters and a few comments each. */
const DEMO_HISTORY = {
  firstAt: new Date('2021-10-23T09:00:00+08:00'),
  everyDays: 14,
  voters: 40,
  commentsPerSession: 8,
  seed: 2021,
};

class Seeder {
  created = 0;
  /** One argon2 hash shared by every demo account (they share the password), made only if an account is missing. */
  private passwordHash: Promise<string> | null = null;

  constructor(
    private readonly m: EntityManager,
    private readonly password: string,
    private readonly clock: Clock,
  ) {}

  async regions(): Promise<Map<string, Region>> {
    const out = new Map<string, Region>();
    for (const r of DEMO_REGIONS) out.set(r.code, await this.ensure(Region, { code: r.code }, r));
    return out;
  }

  async accounts(regions: Map<string, Region>): Promise<Map<string, User>> {
    const out = new Map<string, User>();
    const all = [
      ...DEMO_ACCOUNTS,
      ...DEMO_CADRES.map((c) => ({ username: c.username, displayName: c.name, roles: ['speaker' as const], regionCode: c.regionCode })),
    ];
    for (const a of all) {
      const regionId = a.regionCode ? regions.get(a.regionCode)!.id : null;
      const user = await this.ensure(User, { username: a.username }, async () => ({
        username: a.username,
        displayName: a.displayName,
        roles: a.roles,
        regionId,
        passwordHash: await (this.passwordHash ??= hashPassword(this.password)),
      }));
      out.set(a.username, user);
    }
    return out;
  }

  async cadres(regions: Map<string, Region>, users: Map<string, User>): Promise<Map<string, Cadre>> {
    const out = new Map<string, Cadre>();
    for (const c of DEMO_CADRES) {
      const regionId = regions.get(c.regionCode)!.id;
      const fields = { name: c.name, position: c.position, regionId, userId: users.get(c.username)!.id };
      out.set(c.key, await this.ensure(Cadre, { name: c.name, regionId }, fields));
    }
    return out;
  }

  async themes(users: Map<string, User>): Promise<Map<string, Theme>> {
    const out = new Map<string, Theme>();
    for (const t of DEMO_THEMES) {
      const fields = {
        title: t.title,
        description: t.description,
        rationale: t.rationale,
        status: ThemeStatus.USED,
        proposedById: users.get(t.proposedBy)!.id,
      };
      const theme = await this.ensure(Theme, { title: t.title }, fields);
      for (const i of DEMO_INDICATORS) await this.ensure(Indicator, { themeId: theme.id, name: i.name }, { themeId: theme.id, ...i });
      out.set(t.key, theme);
    }
    return out;
  }

  async session(s: DemoSession, themes: Map<string, Theme>, cadres: Map<string, Cadre>, users: Map<string, User>): Promise<void> {
    const session = await this.ensure(Session, { number: s.number }, {
      number: s.number,
      title: s.title,
      themeId: themes.get(s.themeKey)!.id,
      startsAt: new Date(s.startsAt),
      venue: s.venue,
      phase: RoomPhase.SCHEDULED,
    });
    if (!(await this.m.existsBy(Speech, { sessionId: session.id }))) {
      const lineup = s.lineup.map((e) => ({ cadreId: cadres.get(e.cadreKey)!.id, allottedSeconds: e.allottedSeconds }));
      await runRoomCommand(this.m, session.id, null, this.clock, async (m) => ({ type: 'SET_LINEUP', entries: await replaceLineup(m, session.id, lineup) }));
      this.created += s.lineup.length;
    }
    const speakerNames = s.lineup.map((e) => DEMO_CADRES.find((c) => c.key === e.cadreKey)!.username);
    const voterNames = DEMO_ACCOUNTS.filter((a) => a.roles.includes('voter')).map((a) => a.username);
    for (const username of [...voterNames, ...speakerNames]) {
      await this.ensure(Attendee, { sessionId: session.id, userId: users.get(username)!.id }, { sessionId: session.id, userId: users.get(username)!.id });
    }
    // The room counts the registered (到会 0 / N) before anyone checks in; nothing is recorded when it already does.
    if (session.phase === RoomPhase.SCHEDULED && !session.sealedAt) {
      await runRoomCommand(this.m, session.id, null, this.clock, (m) => recordAttendanceIn(m, session.id, [], true));
    }
  }

  /** The article's figures and promises, filed by the organisation department on the speakers' behalf. */
  async briefings(cadres: Map<string, Cadre>, admin: User): Promise<void> {
    for (const b of DEMO_BRIEFINGS) {
      const session = await this.m.findOneByOrFail(Session, { number: b.sessionNumber });
      const cadre = cadres.get(b.cadreKey)!;
      const speech = await this.m.findOneByOrFail(Speech, { sessionId: session.id, cadreId: cadre.id });
      const common = { sessionId: session.id, speechId: speech.id, cadreId: cadre.id, version: 1, recordedById: admin.id, recordedAt: this.clock.now() };
      for (const c of b.claims) {
        await this.ensure(Claim, { speechId: speech.id, indicator: c.indicator }, { ...common, indicator: c.indicator, value: c.value, unit: c.unit, asOf: new Date(c.asOf), note: c.note ?? null });
      }
      for (const c of b.commitments) {
        await this.ensure(Commitment, { speechId: speech.id, title: c.title }, { ...common, title: c.title, target: c.target, dueAt: new Date(c.dueAt) });
      }
    }
  }

  private async ensure<T extends object>(entity: new () => T, key: Partial<T>, fields: Partial<T> | (() => Promise<Partial<T>>)): Promise<T> {
    const existing = await this.m.findOneBy(entity, key as never);
    if (existing) return existing;
    this.created += 1;
    const values = typeof fields === 'function' ? await fields() : fields;
    return this.m.save(entity, this.m.create(entity, values as never));
  }
}
