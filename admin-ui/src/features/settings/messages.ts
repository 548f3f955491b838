import { messages } from '@coffer/web/i18n';

export const t = messages(
  {
    security: 'Security',
    requireTwoFactor: 'Require two-step sign-in for everyone',
    requireTwoFactorHint: 'Accounts without a second factor can only enrol until they add one.',
    effective: 'Effective value',
    source: 'Set in',
    database: 'the database (here)',
    on: 'On',
    off: 'Off',
    saved: 'Saved.',
    others: 'Sign-up, quotas, retention, trash and links',
    othersHint: 'Open sign-up, default quota, retention and trash days and link policies, each with where its value comes from (environment or database).',
  },
  {
    security: '보안',
    requireTwoFactor: '모든 사용자에게 2단계 로그인 요구',
    requireTwoFactorHint: '2단계 인증 수단이 없는 계정은 등록할 때까지 등록만 할 수 있습니다.',
    effective: '적용 중인 값',
    source: '설정 위치',
    database: '데이터베이스(여기)',
    on: '켜짐',
    off: '꺼짐',
    saved: '저장했습니다.',
    others: '가입, 할당량, 보존, 휴지통, 링크',
    othersHint: '공개 가입, 기본 할당량, 보존 및 휴지통 기간, 링크 정책과 각 값의 출처(환경 변수 또는 데이터베이스).',
  },
);
