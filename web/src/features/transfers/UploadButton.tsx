/**
 * The upload button of a folder screen: files, a whole folder (webkitdirectory), or photos and
 * videos (on phones the camera or the gallery), each through a hidden <input type=file>.
 */
import { useRef, useState } from 'preact/hooks';
import { Button, Icon } from '../../ui/index';
import { pickedFiles } from './drop';
import { t } from './messages';
import { enqueue } from './transfers';

export function UploadButton(props: { path: string }) {
  const [open, setOpen] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const media = useRef<HTMLInputElement>(null);
  const picked = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const list = pickedFiles(input.files);
    input.value = ''; // the same file can be picked again (a resume)
    setOpen(false);
    void enqueue(props.path, list);
  };
  const pick = (r: { current: HTMLInputElement | null }) => () => r.current?.click();
  return (
    <div class="upload-menu">
      <Button variant="primary" aria-haspopup="menu" aria-expanded={open} aria-controls="upload-choices" onClick={() => setOpen(!open)}>
        <Icon name="upload" />
        {t('upload')}
      </Button>
      {open && (
        <div id="upload-choices" role="menu" aria-label={t('uploadMenu')} class="upload-choices">
          <button type="button" role="menuitem" class="btn btn-ghost" onClick={pick(files)}>
            <Icon name="file" />
            {t('uploadFiles')}
          </button>
          <button type="button" role="menuitem" class="btn btn-ghost" onClick={pick(folder)}>
            <Icon name="folder" />
            {t('uploadFolder')}
          </button>
          <button type="button" role="menuitem" class="btn btn-ghost" onClick={pick(media)}>
            <Icon name="image" />
            {t('uploadPhotos')}
          </button>
        </div>
      )}
      <input ref={files} type="file" multiple hidden data-upload="files" aria-label={t('uploadFiles')} onChange={picked} />
      <input ref={folder} type="file" multiple hidden data-upload="folder" aria-label={t('uploadFolder')} {...{ webkitdirectory: true }} onChange={picked} />
      <input ref={media} type="file" multiple hidden data-upload="media" accept="image/*,video/*" aria-label={t('uploadPhotos')} onChange={picked} />
    </div>
  );
}
