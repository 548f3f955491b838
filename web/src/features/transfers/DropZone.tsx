/** Wrap a folder's content: files and whole folders dropped on it upload into `path`. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { droppedFiles } from './drop';
import { t } from './messages';
import { enqueue } from './transfers';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

export function DropZone(props: { path: string; children: ComponentChildren }) {
  const [over, setOver] = useState(false);
  return (
    <div
      class={`drop-zone${over ? ' drop-over' : ''}`}
      data-drop-path={props.path}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setOver(false);
      }}
      onDrop={(e) => {
        if (!e.dataTransfer) return;
        e.preventDefault();
        setOver(false);
        void droppedFiles(e.dataTransfer).then((files) => enqueue(props.path, files));
      }}
    >
      {props.children}
      {over && (
        <div class="drop-hint" aria-hidden="true">
          {t('dropHere')}
        </div>
      )}
    </div>
  );
}
