/** The words on the pages: Chinese first (the hall), English with `?lang=en`. */
export type Lang = 'zh' | 'en';

export function langFromLocation(search: string = location.search): Lang {
  return new URLSearchParams(search).get('lang') === 'en' ? 'en' : 'zh';
}

const zh = {
  reasons: { EMPTY_TALK: '虚话套话', OFF_TOPIC: '偏离主题', OVERTIME: '超时', OTHER: '其他' } as Record<string, string>,
  phases: {
    SCHEDULED: '即将开始',
    SPEECHES: '交流发言',
    EXCHANGE: '互动交流',
    SUMMARY: '总结讲话',
    EVALUATION: '民主评议',
    CLOSED: '已结束',
  } as Record<string, string>,
  grades: { EXCELLENT: '优秀', GOOD: '良好', AVERAGE: '一般', POOR: '较差' } as Record<string, string>,
  speakerNo: (n: number) => `第 ${n} 位发言`,
  paused: '已暂停',
  overtime: '已超时',
  extended: (min: number) => `已延时 ${min} 分钟`,
  interrupted: '主持人打断',
  interruptedTimes: (n: number) => `已被打断 ${n} 次`,
  cutOff: '发言已终止',
  next: '下一位',
  comments: '现场留言',
  noComments: '暂无留言',
  waiting: '等待开始',
  betweenSpeeches: '请下一位发言人准备',
  lastCutOff: (name: string, reason: string) => `${name} 的发言被主持人终止：${reason}`,
  allSpoken: '发言全部结束',
  evaluationTitle: '民主评议',
  evaluationSoon: '民主评议即将开始',
  voted: (n: number, m: number) => `已投票 ${n} / ${m}`,
  votingOpen: '投票进行中',
  votingClosed: '投票已结束，等待公布结果',
  resultsTitle: '民主评议结果',
  rank: '名次',
  name: '姓名',
  unit: '单位',
  grade: '等次',
  score: '得分',
  tieNote: '并列',
  closed: '本期活动结束',
  reconnecting: '连接中断，正在重新连接…',
  badToken: '大屏令牌无效或已过期，请向主持人索取新链接',
  loading: '正在连接…',
};

type Dict = typeof zh;

const en: Dict = {
  reasons: { EMPTY_TALK: 'Empty talk', OFF_TOPIC: 'Off topic', OVERTIME: 'Over time', OTHER: 'Other' },
  phases: {
    SCHEDULED: 'Starting soon',
    SPEECHES: 'Speeches',
    EXCHANGE: 'Exchange',
    SUMMARY: 'Summary',
    EVALUATION: 'Evaluation',
    CLOSED: 'Closed',
  },
  grades: { EXCELLENT: 'Excellent', GOOD: 'Good', AVERAGE: 'Average', POOR: 'Poor' },
  speakerNo: (n: number) => `Speaker ${n}`,
  paused: 'Paused',
  overtime: 'Over time',
  extended: (min: number) => `Extended by ${min} min`,
  interrupted: 'Interrupted by the chair',
  interruptedTimes: (n: number) => `Interrupted ${n}×`,
  cutOff: 'Speech cut off',
  next: 'Next',
  comments: 'Comments',
  noComments: 'No comments yet',
  waiting: 'Waiting to start',
  betweenSpeeches: 'Next speaker, please get ready',
  lastCutOff: (name: string, reason: string) => `${name} was cut off by the chair: ${reason}`,
  allSpoken: 'All speeches given',
  evaluationTitle: 'Democratic evaluation',
  evaluationSoon: 'The evaluation opens shortly',
  voted: (n: number, m: number) => `${n} of ${m} have voted`,
  votingOpen: 'Voting is open',
  votingClosed: 'Voting closed; results to follow',
  resultsTitle: 'Evaluation results',
  rank: 'Rank',
  name: 'Name',
  unit: 'Unit',
  grade: 'Grade',
  score: 'Score',
  tieNote: 'tie',
  closed: 'The session is over',
  reconnecting: 'Connection lost, reconnecting…',
  badToken: 'The screen token is invalid or expired; ask the chair for a new link',
  loading: 'Connecting…',
};

export function words(lang: Lang): Dict {
  return lang === 'en' ? en : zh;
}
