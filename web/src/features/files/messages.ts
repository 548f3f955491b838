import { messages } from '../../i18n/i18n';

export const t = messages(
  {
    title: 'My files',
    breadcrumbs: 'Folder path',
    root: 'My files',
    name: 'Name',
    size: 'Size',
    modified: 'Modified',
    empty: 'This folder is empty.',
    folder: 'Folder',
    loadFailed: 'Could not load this folder: {msg}',
  },
  {
    title: '내 파일',
    breadcrumbs: '폴더 경로',
    root: '내 파일',
    name: '이름',
    size: '크기',
    modified: '수정한 날짜',
    empty: '이 폴더는 비어 있습니다.',
    folder: '폴더',
    loadFailed: '이 폴더를 불러올 수 없습니다: {msg}',
  },
);
