import { Device } from '../storm/http';
import { Account, must } from '../storm/world';

/** The bench's own database on the shared MariaDB server; nothing else on it is touched. */
export const DATABASE = 'leitai_bench_hall';

/** The people of the hall: the organisers, the line-up's speakers (who also attend), the attendees and the others. */
export interface People {
  chair: Account;
  secretary: Account;
  leader: Account;
  /** Every registered attendee; the first `speakers` of them are the line-up's cadres' own accounts. */
  attendees: Account[];
  /** Accounts that sign in by password beside the attendees (another session's crowd, not registered here). */
  others: Account[];
  speakers: number;
}

/** The groups for storm's insertAccounts: one shared argon2id hash, roles per group. */
export function accountGroups(attendees: number, others: number, speakers: number) {
  return [
    { prefix: 'chair', count: 1, roles: ['chair'] },
    { prefix: 'secretary', count: 1, roles: ['secretary'] },
    { prefix: 'lead', count: 1, roles: ['leader'] },
    { prefix: 'spk', count: speakers, roles: ['speaker', 'voter'], width: 2 },
    { prefix: 'att', count: attendees - speakers, roles: ['voter'], width: 4 },
    { prefix: 'pwd', count: others, roles: ['voter'], width: 4 },
  ];
}

export function peopleOf(groups: Map<string, Account[]>, speakers: number): People {
  return {
    chair: groups.get('chair')![0],
    secretary: groups.get('secretary')![0],
    leader: groups.get('lead')![0],
    attendees: [...groups.get('spk')!, ...groups.get('att')!],
    others: groups.get('pwd')!,
    speakers,
  };
}

/** What every round's sessions share: the county, its cadres (each tied to a speaker's account) and the theme. */
export interface Cast {
  regionId: string;
  /** cadre id → the attendee who is that cadre. */
  cadres: { cadreId: string; userId: number }[];
  themeId: string;
}

/** The county, one cadre per speaker (tied to the speaker's account, so the server knows whose speech is whose), a theme a leader proposes and the admin approves. */
export async function prepareCast(device: Device, adminToken: string, leaderToken: string, people: People): Promise<Cast> {
  const regionId = (await must(device, 'mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', { i: { code: 'hall-county', name: '会堂县', nameEn: 'Hall County' } }, adminToken)).createRegion.id as string;
  const cadres: Cast['cadres'] = [];
  for (let i = 0; i < people.speakers; i++) {
    const speaker = people.attendees[i];
    const input = { name: `发言人${i + 1}`, position: `会堂县第${i + 1}局局长`, regionId, userId: String(speaker.id) };
    cadres.push({ cadreId: (await must(device, 'mutation($i: CreateCadreInput!) { createCadre(input: $i) { id } }', { i: input }, adminToken)).createCadre.id, userId: speaker.id });
  }
  const themeId = (await must(device, 'mutation($i: ProposeThemeInput!) { proposeTheme(input: $i) { id } }', { i: { title: '会堂签到与评议', description: '三百名与会干部同时签到、同时投票。' } }, leaderToken)).proposeTheme.id as string;
  await must(device, 'mutation($id: ID!) { approveTheme(id: $id) { id } }', { id: themeId }, adminToken);
  return { regionId, cadres, themeId };
}

export interface HallSession {
  sessionId: string;
  /** In line-up order; speechIds[i] is cadres[i]'s. */
  speechIds: string[];
  /** user id → the ids of the speeches that user gives. */
  ownSpeeches: Map<number, string[]>;
}

/**
 * A session as the organisers' console schedules one: on the shared theme, an hour ahead, the line-up (every cadre,
 * 5 minutes each) and every attendee registered (100 per call). The room stays SCHEDULED.
 */
export async function scheduleHall(device: Device, adminToken: string, cast: Cast, people: People, title: string): Promise<HallSession> {
  const schedule = { themeId: cast.themeId, title, venue: '市委大会堂', startsAt: new Date(Date.now() + 3_600_000).toISOString() };
  const sessionId = (await must(device, 'mutation($i: ScheduleSessionInput!) { scheduleSession(input: $i) { id } }', { i: schedule }, adminToken)).scheduleSession.id as string;
  const lineup = cast.cadres.map((c) => ({ cadreId: c.cadreId, allottedSeconds: 300 }));
  const speeches = (await must(device, 'mutation($s: ID!, $e: [LineupEntryInput!]!) { setLineup(sessionId: $s, entries: $e) { speeches { id cadre { id } } } }', { s: sessionId, e: lineup }, adminToken)).setLineup.speeches as { id: string; cadre: { id: string } }[];
  for (let i = 0; i < people.attendees.length; i += 100) {
    const ids = people.attendees.slice(i, i + 100).map((a) => String(a.id));
    await must(device, 'mutation($s: ID!, $u: [ID!]!) { registerAttendees(sessionId: $s, userIds: $u) { id } }', { s: sessionId, u: ids }, adminToken);
  }
  const ownSpeeches = new Map<number, string[]>();
  for (const sp of speeches) {
    const userId = cast.cadres.find((c) => c.cadreId === sp.cadre.id)!.userId;
    ownSpeeches.set(userId, [...(ownSpeeches.get(userId) ?? []), sp.id]);
  }
  return { sessionId, speechIds: speeches.map((s) => s.id), ownSpeeches };
}

// The operations, as the hall's phones and the chair's console send them (contract-hall.md).
export const SIGN_IN_LINK = 'mutation SignIn($t: String!) { signInWithLink(token: $t) { token sessionId user { id } } }';
export const LOGIN_USER = 'mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token sessionId user { id } } }';
export const ISSUE_LINKS = 'mutation Links($s: ID!) { issueSignInLinks(sessionId: $s) { user { id username } url expiresAt } }';
export const CHECK_IN_CODE = 'query Code($s: ID!) { checkInCode(sessionId: $s) { code rotatesAt expiresAt url } }';
export const CHECK_IN = 'mutation CheckIn($s: ID!, $c: String!) { checkIn(sessionId: $s, code: $c) { present checkedInAt user { id } } }';
export const ATTENDANCE = 'query Attendance($s: ID!) { attendance(sessionId: $s) { expected present } room(sessionId: $s) { attendance { expected present } } }';
export const MY_SEAT = 'query Seat($s: ID!) { mySeat(sessionId: $s) { registered present entitled voted ownSpeechIds } }';
export const CAST = 'mutation Cast($s: ID!, $g: [GradeInput!]!, $c: String) { castBallot(sessionId: $s, grades: $g, clientId: $c) { receipt } }';
export const VERIFY = 'query Verify($s: ID!, $r: String!) { verifyBallotReceipt(sessionId: $s, receipt: $r) }';
export const EVALUATION = 'query Evaluation($s: ID!) { evaluation(sessionId: $s) { status entitledVoters ballotsCast } }';

/** What a phone in the hall follows: the room as the big screen shows it, with the attendance and the ballot count. */
export const ROOM_STATE = `subscription Room($s: ID!) {
  roomState(sessionId: $s) {
    sessionId seq phase serverNow
    current { speech { id order status } timer { running allottedMs remainingMs overtimeMs endsAt } }
    speeches { id order status cadre { name position } }
    attendance { expected present }
    evaluation { status entitledVoters ballotsCast quorum }
  }
}`;
