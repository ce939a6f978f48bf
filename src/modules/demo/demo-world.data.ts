/**
 * The demo world seeded on an empty database (docs/README.md): Chengde's county-level units, the accounts of a
 * typical session, the cadres who speak, and the three themes and sessions of the seed article
 * (the 2021 news article on Chengde's meetings).
 *
 * People and positions named in the article are reproduced as worded there. Everyone else is invented for
 * demonstration only: cadres with `fromArticle: false` and accounts whose note reads '虚构（演示）' are not real
 * people and their names and positions are not meant to describe anyone.
 *
 * Kept as pure data so the seeder, the tests and the docs can share it without touching the database.
 */
import type { Role } from '../../auth/roles';

export interface DemoRegion {
  code: string;
  name: string;
  nameEn: string;
}

export interface DemoAccount {
  username: string;
  displayName: string;
  roles: Role[];
  regionCode?: string;
  note?: string;
}

export interface DemoCadre {
  key: string;
  name: string;
  /** As the article words it, so the demo reads like the source. */
  position: string;
  regionCode: string;
  /** Pinyin of the name without spaces or tones; the speaker's login. */
  username: string;
  /** True only for people named in the article. */
  fromArticle: boolean;
}

export interface DemoTheme {
  key: string;
  title: string;
  description: string;
  /** Username of the city leader who proposed it (themes are solicited from city leaders). */
  proposedBy: string;
  rationale: string;
}

export interface DemoLineupEntry {
  cadreKey: string;
  allottedSeconds: number;
}

export interface DemoSession {
  number: number;
  title: string;
  themeKey: string;
  /** ISO 8601 with the +08:00 offset, so the wall-clock time reads as it did in Chengde. */
  startsAt: string;
  venue: string;
  lineup: DemoLineupEntry[];
  note?: string;
}

export const DEMO_REGIONS: readonly DemoRegion[] = [
  { code: 'shuangqiao', name: '双桥区', nameEn: 'Shuangqiao District' },
  { code: 'shuangluan', name: '双滦区', nameEn: 'Shuangluan District' },
  { code: 'yingshouyingzi', name: '鹰手营子矿区', nameEn: 'Yingshouyingzi Mining District' },
  { code: 'pingquan', name: '平泉市', nameEn: 'Pingquan City' },
  // Plain 'chengde' would read as the prefecture-level city itself.
  { code: 'chengdexian', name: '承德县', nameEn: 'Chengde County' },
  { code: 'xinglong', name: '兴隆县', nameEn: 'Xinglong County' },
  { code: 'luanping', name: '滦平县', nameEn: 'Luanping County' },
  { code: 'longhua', name: '隆化县', nameEn: 'Longhua County' },
  { code: 'fengning', name: '丰宁满族自治县', nameEn: 'Fengning Manchu Autonomous County' },
  { code: 'kuancheng', name: '宽城满族自治县', nameEn: 'Kuancheng Manchu Autonomous County' },
  { code: 'weichang', name: '围场满族蒙古族自治县', nameEn: 'Weichang Manchu and Mongol Autonomous County' },
];

const VOTER_COUNT = 40;

function voterAccounts(): DemoAccount[] {
  const accounts: DemoAccount[] = [];
  for (let i = 1; i <= VOTER_COUNT; i++) {
    const n = String(i).padStart(2, '0');
    accounts.push({ username: `voter${n}`, displayName: `与会干部${n}`, roles: ['voter'] });
  }
  return accounts;
}

/** The non-speaker accounts; speakers get theirs from DEMO_CADRES. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'admin', displayName: '市委组织部工作人员', roles: ['admin'], note: '承德市委组织部' },
  // Chairing is a job, not a person: the console account is shared by whichever city leader presides.
  { username: 'chair', displayName: '主持市领导', roles: ['chair', 'leader'], note: '主持活动的市领导使用的控制台账号' },
  { username: 'secretary', displayName: '董晓宇', roles: ['secretary', 'leader'], note: '承德市委书记' },
  { username: 'auditor', displayName: '核查督导专班', roles: ['auditor'], note: '市委组织部核查督导专门力量' },
  // Belongs to a unit, so the separation-of-duties rule (never audit one's own unit) has something to refuse.
  {
    username: 'auditor2',
    displayName: '核查人员（滦平县）',
    roles: ['auditor'],
    regionCode: 'luanping',
    note: '虚构（演示）',
  },
  { username: 'analyst', displayName: '数据分析员', roles: ['analyst'] },
  { username: 'leader1', displayName: '郭旭涛', roles: ['leader'], note: '承德市委副书记' },
  { username: 'leader2', displayName: '颜世东', roles: ['leader'], note: '承德市委常委、组织部部长' },
  { username: 'leader3', displayName: '何嘉明', roles: ['leader'], note: '虚构（演示）' },
  { username: 'leader4', displayName: '苏振江', roles: ['leader'], note: '虚构（演示）' },
  { username: 'leader5', displayName: '罗文清', roles: ['leader'], note: '虚构（演示）' },
  { username: 'leader6', displayName: '陶立华', roles: ['leader'], note: '虚构（演示）' },
  ...voterAccounts(),
];

export const DEMO_CADRES: readonly DemoCadre[] = [
  {
    key: 'wu-guozhi',
    name: '吴国志',
    position: '双桥区委常委、常务副区长',
    regionCode: 'shuangqiao',
    username: 'wuguozhi',
    fromArticle: true,
  },
  {
    key: 'zhang-baodong',
    name: '张宝东',
    position: '双滦区常务副区长',
    regionCode: 'shuangluan',
    username: 'zhangbaodong',
    fromArticle: true,
  },
  {
    key: 'zhang-yunlong',
    name: '张云龙',
    position: '滦平县常务副县长',
    regionCode: 'luanping',
    username: 'zhangyunlong',
    fromArticle: true,
  },
  {
    key: 'li-guoxing',
    name: '李国星',
    position: '滦平县委副书记',
    regionCode: 'luanping',
    username: 'liguoxing',
    fromArticle: true,
  },
  {
    key: 'wang-zhanping',
    name: '王占平',
    position: '围场满族蒙古族自治县县委副书记',
    regionCode: 'weichang',
    username: 'wangzhanping',
    fromArticle: true,
  },
  {
    key: 'zhang-yang',
    name: '张扬',
    position: '隆化县委常委、组织部部长',
    regionCode: 'longhua',
    username: 'zhangyang',
    fromArticle: true,
  },
  // Invented so that each of the 11 units has someone to speak for it.
  {
    key: 'han-lijun',
    name: '韩立军',
    position: '鹰手营子矿区委常委、常务副区长',
    regionCode: 'yingshouyingzi',
    username: 'hanlijun',
    fromArticle: false,
  },
  {
    key: 'zhou-qinglin',
    name: '周庆林',
    position: '平泉市委常委、常务副市长',
    regionCode: 'pingquan',
    username: 'zhouqinglin',
    fromArticle: false,
  },
  {
    key: 'gao-wenbo',
    name: '高文博',
    position: '承德县委常委、常务副县长',
    regionCode: 'chengdexian',
    username: 'gaowenbo',
    fromArticle: false,
  },
  {
    key: 'hou-shusen',
    name: '侯树森',
    position: '兴隆县副县长',
    regionCode: 'xinglong',
    username: 'houshusen',
    fromArticle: false,
  },
  {
    key: 'shao-chunqing',
    name: '邵春青',
    position: '丰宁满族自治县县委常委、常务副县长',
    regionCode: 'fengning',
    username: 'shaochunqing',
    fromArticle: false,
  },
  {
    key: 'ma-zhenyu',
    name: '马振宇',
    position: '宽城满族自治县副县长',
    regionCode: 'kuancheng',
    username: 'mazhenyu',
    fromArticle: false,
  },
];

export interface DemoIndicator {
  name: string;
  unit: string;
  higherIsBetter: boolean;
}

/**
 * The figures every theme's speakers report on the same terms, so that regions line up in the comparison
 * (docs/indicators.md). Every demo theme defines all of them; the generated history files its claims against them.
 */
export const DEMO_INDICATORS: readonly DemoIndicator[] = [
  { name: '重点项目开工数', unit: '个', higherIsBetter: true },
  { name: '完成固定资产投资', unit: '亿元', higherIsBetter: true },
  { name: '新增民宿床位', unit: '张', higherIsBetter: true },
  { name: '督查问题整改完成数', unit: '项', higherIsBetter: true },
  { name: '招商引资到位资金', unit: '亿元', higherIsBetter: true },
  { name: '乡村振兴示范村', unit: '个', higherIsBetter: true },
];

export const DEMO_THEMES: readonly DemoTheme[] = [
  {
    key: 'key-projects',
    title: '加快重点项目建设，助推全市经济社会高质量发展',
    description:
      '各县、市、区晾晒重点项目建设进展，分享新招实招，分析面临的困难与问题；提前谋划明年重大项目招商引资，超常发力。',
    proposedBy: 'leader3',
    rationale: '县级党委换届后首期比拼，以重点项目建设检验“生态强市、魅力承德”建设的实绩。',
  },
  {
    key: 'supervision',
    title: '以大督查促大落实',
    description:
      '围绕习近平总书记承德考察重要指示精神落实落地落细，交流督查发现的问题与整改落实情况，比抓工作实不实、作风到位不到位。',
    proposedBy: 'leader4',
    rationale: '以督查传导压力，推动各项工作谋划和承诺事项真正落实。',
  },
  {
    key: 'homestay',
    title: '发展民宿经济，助推乡村振兴',
    description:
      '发展民宿经济是“推进全域旅游，实现乡村振兴”的重要举措：打好文化牌、民族牌，加快改善农村基础设施，用好承德民宿标识、推动品牌建设，以民宿经济带动全域旅游发展。',
    proposedBy: 'leader1',
    rationale: '民宿经济是推进全域旅游、实现乡村振兴的重要抓手。',
  },
];

const SPEECH_SECONDS = 300;
const VENUE = '承德市委党校报告厅';

function lineup(cadreKeys: readonly string[]): DemoLineupEntry[] {
  return cadreKeys.map((cadreKey) => ({ cadreKey, allottedSeconds: SPEECH_SECONDS }));
}

// Every unit speaks in every session, although 吴国志 speaks of "10个县、市、区" in session 1: the demo keeps all
// 11 units so each has a speaker, a briefing and a result to show.
export const DEMO_SESSIONS: readonly DemoSession[] = [
  {
    number: 1,
    title: '第一期“牢记总书记嘱托、聚力高质量发展”大培训、大比拼',
    themeKey: 'key-projects',
    startsAt: '2021-09-23T09:00:00+08:00',
    venue: VENUE,
    lineup: lineup([
      'wu-guozhi',
      'zhang-baodong',
      'han-lijun',
      'zhou-qinglin',
      'gao-wenbo',
      'hou-shusen',
      'zhang-yunlong',
      'zhang-yang',
      'shao-chunqing',
      'ma-zhenyu',
      'wang-zhanping',
    ]),
  },
  {
    number: 2,
    title: '第二期“牢记总书记嘱托、聚力高质量发展”大培训、大比拼',
    themeKey: 'supervision',
    // The article dates only sessions 1 and 3; this falls between them, before the National Day holiday.
    startsAt: '2021-09-28T09:00:00+08:00',
    venue: VENUE,
    lineup: lineup([
      'wu-guozhi',
      'zhang-baodong',
      'han-lijun',
      'zhou-qinglin',
      'gao-wenbo',
      'hou-shusen',
      'li-guoxing',
      'zhang-yang',
      'shao-chunqing',
      'ma-zhenyu',
      'wang-zhanping',
    ]),
    note: '日期为推定',
  },
  {
    number: 3,
    title: '第三期“牢记总书记嘱托、聚力高质量发展”大培训、大比拼',
    themeKey: 'homestay',
    startsAt: '2021-10-09T09:00:00+08:00',
    venue: VENUE,
    lineup: lineup([
      'wu-guozhi',
      'zhang-baodong',
      'han-lijun',
      'zhou-qinglin',
      'gao-wenbo',
      'hou-shusen',
      'li-guoxing',
      'zhang-yang',
      'shao-chunqing',
      'ma-zhenyu',
      'wang-zhanping',
    ]),
  },
];

export interface DemoBriefing {
  sessionNumber: number;
  cadreKey: string;
  claims: { indicator: string; value: number; unit: string; asOf: string; note?: string }[];
  commitments: { title: string; target: string; dueAt: string }[];
}

// What the article reports the speakers said. Where it gives no date, the as-of date is the eve of the session
// and a promise "within 3 years" falls due three years after it; other due dates are marked as inferred.
export const DEMO_BRIEFINGS: readonly DemoBriefing[] = [
  {
    sessionNumber: 3,
    cadreKey: 'li-guoxing',
    claims: [
      { indicator: '重点民宿村', value: 16, unit: '个', asOf: '2021-10-08T00:00:00+08:00' },
      { indicator: '重点民宿村床位', value: 3000, unit: '张', asOf: '2021-10-08T00:00:00+08:00', note: '近3000张' },
      { indicator: '已脱贫村民宿床位', value: 2000, unit: '张', asOf: '2021-10-08T00:00:00+08:00', note: '10个已脱贫村，突破2000张' },
    ],
    commitments: [{ title: '打造“顶天立地、铺天盖地”民宿产业新格局', target: '3年内民宿床位超过10万张', dueAt: '2024-10-09T00:00:00+08:00' }],
  },
  {
    sessionNumber: 3,
    cadreKey: 'wang-zhanping',
    claims: [],
    commitments: [{ title: '把发展民宿经济作为助推乡村产业振兴的重要抓手', target: '将围场打造成为民宿经济发展示范县（期限为推定）', dueAt: '2024-10-09T00:00:00+08:00' }],
  },
  {
    sessionNumber: 1,
    cadreKey: 'zhang-baodong',
    claims: [],
    commitments: [{ title: '加快发展主导产业', target: '将双滦打造成招商引资的洼地，筑牢项目建设的高地（期限为推定）', dueAt: '2022-09-23T00:00:00+08:00' }],
  },
];
