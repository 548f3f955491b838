/** Short messages at the bottom of the screen (a polite live region), optionally with one action. */
import { signal } from '@preact/signals';

export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => void };
}

export const toasts = signal<Toast[]>([]);
let next = 1;

export function toast(text: string, action?: Toast['action'], ms = 5000): void {
  const t: Toast = { id: next++, text, ...(action ? { action } : {}) };
  toasts.value = [...toasts.value, t];
  setTimeout(() => dismiss(t.id), ms);
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => (
        <div class="toast" key={t.id}>
          <span>{t.text}</span>
          {t.action && (
            <button
              type="button"
              class="btn"
              onClick={() => {
                t.action!.run();
                dismiss(t.id);
              }}
            >
              {t.action.label}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
