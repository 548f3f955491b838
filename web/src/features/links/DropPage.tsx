/** A file-drop link: anyone may put files into the folder (nothing in it is shown). Pick files
 *  or drop them on the page; each is sent with its own progress. */
import { useState } from 'preact/hooks';
import type { PublicLinkView } from '@coffer/protocol';
import { formatBytes } from '../../i18n/i18n';
import { Icon, ProgressBar } from '../../ui/index';
import { dropFile } from './link-api';
import { linkProblem } from './problems';
import { t } from './messages';

interface Sent {
  id: number;
  name: string;
  size: number;
  sent: number;
  storedAs?: string;
  error?: string;
}

let nextId = 1;

export function DropPage(props: { token: string; view: PublicLinkView; password: string | undefined }) {
  const [items, setItems] = useState<Sent[]>([]);
  const [over, setOver] = useState(false);

  function update(id: number, patch: Partial<Sent>) {
    setItems((all) => all.map((x) => (x.id === id ? { ...x, ...patch } : x)));
  }

  async function send(files: File[]) {
    const batch = files.map((f) => ({ id: nextId++, name: f.name, size: f.size, sent: 0, file: f }));
    setItems((all) => [...batch.map(({ file: _f, ...s }) => s), ...all]);
    // One at a time: a phone on a slow uplink finishes files instead of starting all of them.
    for (const b of batch) {
      try {
        const done = await dropFile(props.token, b.file, props.password, (sent) => update(b.id, { sent }));
        update(b.id, { sent: b.size, storedAs: done.name });
      } catch (err) {
        update(b.id, { error: linkProblem(err, true).text });
      }
    }
  }

  return (
    <section class="link-drop" aria-labelledby="drop-title">
      <div class="link-file-head">
        <Icon name="upload" size={28} />
        <div class="link-file-title">
          <h1 id="drop-title">{t('dropTitle', { name: props.view.name })}</h1>
          <span class="muted">{t('dropHint')}</span>
        </div>
      </div>
      <label
        class={`drop-zone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const files = [...(e.dataTransfer?.files ?? [])];
          if (files.length) void send(files);
        }}
      >
        <Icon name="upload" size={32} />
        <span>{t('chooseFiles')}</span>
        <input
          type="file"
          multiple
          class="sr-only"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            if (files.length) void send(files);
          }}
        />
      </label>
      {items.length > 0 && (
        <ul class="drop-list" aria-label={t('sentFiles')}>
          {items.map((x) => (
            <li key={x.id} class="drop-item">
              <span class="drop-name">{x.name}</span>
              <span class="muted">{formatBytes(x.size)}</span>
              {x.error ? (
                <span class="form-error" role="alert">
                  {x.error}
                </span>
              ) : x.storedAs !== undefined ? (
                <span class="drop-done">
                  <Icon name="check" /> {x.storedAs === x.name ? t('uploaded') : t('uploadedAs', { name: x.storedAs })}
                </span>
              ) : (
                <ProgressBar value={x.size ? x.sent / x.size : 0} label={t('uploading', { name: x.name })} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
