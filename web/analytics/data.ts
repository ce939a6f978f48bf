/** What the analytics page reads, as the server's schema has it (schema.graphql). */

export interface RegionRef {
  id: string;
  name: string;
  nameEn: string;
}

export interface IndicatorRef {
  id: string;
  themeId: string;
  name: string;
  unit: string;
  higherIsBetter: boolean;
}

export interface ThemeRef {
  id: string;
  title: string;
}

export interface Standing {
  rank: number;
  score: number;
  speeches: number;
  excellent: number;
  overtimeRate: number;
  fulfilmentRate: number | null;
  region: RegionRef;
}

export interface Trends {
  sessions: { id: string; number: number; startsAt: string }[];
  series: { region: RegionRef; scores: (number | null)[]; ranks: (number | null)[]; excellent: (number | null)[] }[];
}

export interface GradeRow {
  session: { id: string; number: number; title: string; startsAt: string };
  excellent: number;
  good: number;
  average: number;
  poor: number;
  ballotsCast: number;
  entitledVoters: number;
}

export interface DisciplineRow {
  region: RegionRef | null;
  cadre: { id: string; name: string } | null;
  speeches: number;
  spokenMinutes: number;
  allottedMinutes: number;
  overtimeRate: number;
  cutOffs: number;
  interruptions: { reason: string; count: number }[];
}

export interface FulfilmentRow {
  region: RegionRef;
  commitments: number;
  due: number;
  assessed: number;
  fulfilled: number;
  partial: number;
  missed: number;
  fulfilmentRate: number | null;
  onTimeRate: number | null;
}

export interface VerdictRow {
  region: RegionRef;
  total: number;
  verified: number;
  partial: number;
  notFulfilled: number;
  falsified: number;
}

export interface CadreRank {
  rank: number;
  score: number;
  speeches: number;
  excellent: number;
  good: number;
  average: number;
  poor: number;
  cadre: { id: string; name: string; position: string; region: RegionRef };
}

export type Verdict = 'VERIFIED' | 'PARTIAL' | 'NOT_FULFILLED' | 'FALSIFIED';

export interface IndicatorValue {
  region: RegionRef;
  cadre: { id: string; name: string; position: string };
  value: number;
  unit: string;
  asOf: string;
  verdict: Verdict | null;
  rank: number | null;
  claimId: string;
  sessionId: string;
}

const REGION = '{ id name nameEn }';
const F = '$from: DateTime, $to: DateTime, $themeId: ID';
const FR = `${F}, $regionId: ID`;

export const Q = {
  regions: `{ regions ${REGION} }`,
  themes: `{ themes { id title } }`,
  indicators: `{ themes { id indicators { id themeId name unit higherIsBetter } } }`,
  standings: `query(${F}) { regionStandings(from: $from, to: $to, themeId: $themeId) { rank score speeches excellent overtimeRate fulfilmentRate region ${REGION} } }`,
  trends: `query(${FR}) { regionTrends(from: $from, to: $to, themeId: $themeId, regionId: $regionId) { sessions { id number startsAt } series { region ${REGION} scores ranks excellent } } }`,
  grades: `query(${FR}) { gradeDistributions(first: 100, from: $from, to: $to, themeId: $themeId, regionId: $regionId) { edges { node { session { id number title startsAt } excellent good average poor ballotsCast entitledVoters } } } }`,
  discipline: `query(${FR}, $groupBy: DisciplineGrouping!) { speakingDiscipline(groupBy: $groupBy, from: $from, to: $to, themeId: $themeId, regionId: $regionId) { region ${REGION} cadre { id name } speeches spokenMinutes allottedMinutes overtimeRate cutOffs interruptions { reason count } } }`,
  fulfilment: `query(${FR}) { commitmentFulfilment(from: $from, to: $to, themeId: $themeId, regionId: $regionId) { region ${REGION} commitments due assessed fulfilled partial missed fulfilmentRate onTimeRate } }`,
  verdicts: `query(${FR}) { auditVerdicts(from: $from, to: $to, themeId: $themeId, regionId: $regionId) { region ${REGION} total verified partial notFulfilled falsified } }`,
  cadres: `query(${FR}) { cadreRankings(first: 20, from: $from, to: $to, themeId: $themeId, regionId: $regionId) { edges { node { rank score speeches excellent good average poor cadre { id name position region ${REGION} } } } } }`,
  indicator: `query($themeId: ID!, $indicatorId: ID!, $from: DateTime, $to: DateTime) { indicatorComparison(themeId: $themeId, indicatorId: $indicatorId, from: $from, to: $to) { region ${REGION} cadre { id name position } value unit asOf verdict rank claimId sessionId } }`,
};
