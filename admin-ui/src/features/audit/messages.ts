import { messages } from '@coffer/web/i18n';

export const t = messages(
  {
    intro: 'Sign-ins and their failures, administrators’ actions, shares and links, node changes — kept in the database.',
    search: 'Search',
    searchHint: 'A username, an action or an address',
  },
  {
    intro: '로그인과 실패, 관리자의 작업, 공유와 링크, 노드 변경 — 데이터베이스에 보관됩니다.',
    search: '검색',
    searchHint: '사용자 이름, 작업 또는 주소',
  },
);
