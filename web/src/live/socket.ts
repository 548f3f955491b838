/**
 * The websocket to /api/v1/events while someone is signed in: it resumes the change journal
 * (from now on the first connection, from the last seq seen after a reconnect, so nothing is
 * missed), hands changes to changes.ts and notifications to notifications.ts, and reconnects
 * with exponential backoff and jitter (1 s doubling to 30 s) when it drops. The session cookie
 * authenticates it (the server checks the Origin for a cookie-authenticated socket).
 */
import { signal } from '@preact/signals';
import { EVENTS_PATH, ServerMessage, type ChangeEntry } from '@coffer/protocol';
import { noteChanges, noteUnknownChanges } from './changes';
import { noteNotification } from './notifications';

export type LiveState = 'off' | 'connecting' | 'live' | 'retrying';
/** How the feed is doing (a screen may show "offline"; tests wait for 'live'). */
export const liveState = signal<LiveState>('off');

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** An application ping this often: a proxy that drops idle sockets sees traffic. */
const PING_MS = 25_000;
/** Changes arriving together are handed on in one batch (a folder upload is many entries). */
const BATCH_MS = 100;

let ws: WebSocket | undefined;
let wanted = false;
let cursor: number | undefined;
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;
let batch: ChangeEntry[] = [];
let batchTimer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  batchTimer = undefined;
  const entries = batch;
  batch = [];
  noteChanges(entries);
}

function onMessage(data: unknown): void {
  let value: unknown;
  try {
    value = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    return;
  }
  const parsed = ServerMessage.safeParse(value);
  if (!parsed.success) return; // a newer server's message: ignore it
  const m = parsed.data;
  switch (m.type) {
    case 'change':
      cursor = m.entry.seq;
      batch.push(m.entry);
      batchTimer ??= setTimeout(flush, BATCH_MS);
      break;
    case 'synced':
      cursor = m.cursor;
      attempt = 0;
      liveState.value = 'live';
      break;
    case 'reset':
      // The journal no longer reaches back to our cursor: treat everything as changed, follow from now.
      cursor = m.latestCursor;
      noteUnknownChanges();
      send({ type: 'resume', cursor: m.latestCursor });
      break;
    case 'notification':
      noteNotification(m.notification, m.truncated === true);
      break;
    default:
      break;
  }
}

function send(msg: object): void {
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function connect(): void {
  if (!wanted) return;
  liveState.value = attempt === 0 ? 'connecting' : 'retrying';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${EVENTS_PATH}`;
  const socket = new WebSocket(url);
  ws = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify(cursor === undefined ? { type: 'resume' } : { type: 'resume', cursor }));
    pingTimer = setInterval(() => send({ type: 'ping' }), PING_MS);
  };
  socket.onmessage = (e) => onMessage(e.data);
  socket.onclose = () => {
    if (ws !== socket) return;
    ws = undefined;
    clearInterval(pingTimer);
    if (!wanted) return;
    liveState.value = 'retrying';
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt);
    attempt++;
    retryTimer = setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
  };
}

/** Follow the feed (idempotent). */
export function startLive(): void {
  if (wanted) return;
  wanted = true;
  attempt = 0;
  connect();
}

/** Stop following (signed out). The next start begins from "now". */
export function stopLive(): void {
  wanted = false;
  cursor = undefined;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  const s = ws;
  ws = undefined;
  s?.close(1000, 'signed out');
  liveState.value = 'off';
}

// Back online or back to the tab: try at once instead of waiting out the backoff.
function retryNow(): void {
  if (!wanted || ws) return;
  clearTimeout(retryTimer);
  attempt = 0;
  connect();
}
window.addEventListener('online', retryNow);
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && retryNow());
