import type { Role } from './roles';

/** Who may call a root field: anyone, or a holder of one of the roles. */
export type Audience = 'public' | readonly Role[];

/** Every role a person can hold: everyone signed in except a screen token. */
export const PEOPLE: readonly Role[] = ['admin', 'chair', 'leader', 'speaker', 'voter', 'auditor', 'analyst', 'secretary'];
const ADMIN: readonly Role[] = ['admin'];
/** Those who prepare and close a session at the desk (组织部): the roster, the schedule, the line-up, the reports. */
const DESK: readonly Role[] = ['secretary', 'admin'];
/** Those who run the live room; admin stands in when the chair's console fails. */
const CHAIR: readonly Role[] = ['chair', 'admin'];
const WATCHERS: readonly Role[] = [...PEOPLE, 'screen'];
/** Those who query the history (数据表里做分析). */
const ANALYSTS: readonly Role[] = ['analyst', 'secretary', 'admin'];
/** Those who keep and use the record. */
const RECORD_READERS: readonly Role[] = ['admin', 'secretary', 'auditor', 'analyst', 'chair', 'leader'];

/**
 * The one table of who may call what. A root field missing here is refused to everyone (fail closed), and a test
 * checks that this table and `schema.graphql` name the same fields. Finer rules that depend on the data (a screen
 * sees only its own session) are checked by the services.
 */
export const POLICY: Readonly<Record<'Query' | 'Mutation' | 'Subscription', Readonly<Record<string, Audience>>>> = {
  Query: {
    me: 'public',
    users: DESK,
    regions: PEOPLE,
    cadre: PEOPLE,
    cadres: PEOPLE,
    themeCalls: ['admin', 'leader', 'chair', 'secretary'],
    themes: PEOPLE,
    session: WATCHERS,
    sessions: PEOPLE,
    room: WATCHERS,
    comments: CHAIR,
    reviews: PEOPLE,
    evaluation: WATCHERS,
    evaluationVoters: CHAIR,
    // Needs no sign-in: a blind receipt is stored beside its ballot's grades, so a check that named its caller would
    // pair them (docs/blind-ballots.md). A receipt is 64 random bits, and the answer is only yes or no.
    verifyBallotReceipt: 'public',
    ballotKey: PEOPLE,
    checkInCode: ['chair', 'admin', 'secretary', 'screen'],
    attendance: ['chair', 'admin', 'secretary'],
    mySeat: PEOPLE,
    mySessions: PEOPLE,
    myComments: PEOPLE,
    archive: RECORD_READERS,
    archiveChain: RECORD_READERS,
    cadreDossier: [...RECORD_READERS, 'speaker'],
    myDossier: PEOPLE,
    briefings: [...RECORD_READERS, 'speaker'],
    audits: ['admin', 'secretary', 'auditor'],
    journal: ['admin', 'secretary', 'auditor'],
    journalChain: ['admin', 'secretary', 'auditor'],
    regionStandings: ANALYSTS,
    cadreRankings: ANALYSTS,
    regionTrends: ANALYSTS,
    gradeDistributions: ANALYSTS,
    speakingDiscipline: ANALYSTS,
    commitmentFulfilment: ANALYSTS,
    auditVerdicts: ANALYSTS,
    indicatorComparison: ANALYSTS,
    reportSubmissions: DESK,
    actionItems: [...RECORD_READERS, 'speaker'],
    progressReports: [...RECORD_READERS, 'speaker'],
    myNotifications: PEOPLE,
  },
  Mutation: {
    login: 'public',
    signInWithLink: 'public',
    issueSignInLinks: ['secretary', 'admin'],
    issueScreenToken: ['admin', 'chair', 'secretary'],
    unlockAccount: ADMIN,
    createUser: ADMIN,
    createRegion: ADMIN,
    createCadre: ADMIN,
    openThemeCall: ADMIN,
    proposeTheme: ['leader'],
    approveTheme: ADMIN,
    rejectTheme: ADMIN,
    scheduleSession: DESK,
    scheduleSeries: DESK,
    setLineup: DESK,
    setSpeakersVote: DESK,
    registerAttendees: DESK,
    registerAttendeeGroup: DESK,
    advancePhase: CHAIR,
    startSpeech: CHAIR,
    pauseSpeech: CHAIR,
    resumeSpeech: CHAIR,
    extendSpeech: CHAIR,
    interruptSpeech: CHAIR,
    endSpeech: CHAIR,
    postComment: PEOPLE,
    moderateComment: CHAIR,
    postReview: ['leader'],
    checkIn: PEOPLE,
    markPresent: ['chair', 'admin', 'secretary'],
    withdrawSpeech: ['chair', 'admin', 'secretary'],
    recordSummary: ['chair', 'admin', 'leader'],
    openEvaluation: CHAIR,
    castBallot: PEOPLE,
    issueBallotToken: PEOPLE,
    // Anonymous by design: the service refuses a request that names its caller.
    castAnonymousBallot: 'public',
    closeEvaluation: CHAIR,
    publishEvaluation: CHAIR,
    // Two people: the desk enters the paper count, the chair or an admin (not the same person) confirms it.
    enterPaperTally: DESK,
    confirmPaperTally: ['admin', 'chair'],
    sealArchive: ADMIN,
    recordClaim: ['admin', 'speaker'],
    defineIndicator: ['admin', 'secretary', 'analyst'],
    reviseClaim: ['admin', 'speaker'],
    recordCommitment: ['admin', 'speaker'],
    reviseCommitment: ['admin', 'speaker'],
    assignAudit: ADMIN,
    withdrawAudit: ADMIN,
    submitFinding: ['auditor'],
    publishFinding: ADMIN,
    markReportSent: DESK,
    createActionItem: DESK,
    // The service lets only the owning cadre report and only the cadre concerned answer.
    reportProgress: PEOPLE,
    verifyProgress: ['auditor'],
    respondToFinding: PEOPLE,
    recordDecision: ADMIN,
    markNotificationsRead: PEOPLE,
  },
  Subscription: {
    roomState: WATCHERS,
    roomEvents: WATCHERS,
    notificationAdded: PEOPLE,
  },
};

export function audienceOf(parentType: string, field: string): Audience | undefined {
  const table = POLICY[parentType as keyof typeof POLICY];
  return table ? table[field] : undefined;
}
