import { messages } from '@coffer/web/i18n';

/** Names of job kinds and states, shared by the pages that show jobs. */
export const t = messages(
  {
    repair: 'Repair',
    scrub: 'Scrub',
    gc: 'Garbage collection',
    retention: 'Retention',
    tiering: 'Tiering',
    drain: 'Drain',
    rebalance: 'Rebalance',
    usage: 'Usage sampling',
    queued: 'Queued',
    running: 'Running',
    done: 'Done',
    failed: 'Failed',
    cancelled: 'Cancelled',
    left: '{time} left',
  },
  {
    repair: '복구',
    scrub: '무결성 검사',
    gc: '가비지 수집',
    retention: '보존 정리',
    tiering: '계층 이동',
    drain: '비우기',
    rebalance: '재분배',
    usage: '사용량 기록',
    queued: '대기 중',
    running: '실행 중',
    done: '완료',
    failed: '실패',
    cancelled: '취소됨',
    left: '{time} 남음',
  },
);
