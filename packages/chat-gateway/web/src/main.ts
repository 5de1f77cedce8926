/** The chat page's composition root: finds the static elements, wires the parts, connects. */
import { Banners } from './banner.js';
import { handleCitationClicks } from './citations.js';
import { Composer } from './composer.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Connection } from './connection.js';
import { followLog } from './auto-scroll.js';
import { newClientId } from './ids.js';
import { accessToken } from './access-token.js';
import { ChatUi } from './ui-state.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

const log = byId<HTMLElement>('log');
const dialog = new ConfirmDialog(byId<HTMLDialogElement>('confirm'));
// The parts call each other only from event handlers, which run after all of them exist.
const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const token = accessToken(sessionStorage);
const connection = new Connection({
  url: `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  storage: sessionStorage,
  onFrame: (frame) => ui.apply(frame),
  onStatus: (status) => {
    if (status.state === 'waiting' && status.attempt === 1) ui.connectionLost();
    banners.showConnection(status);
  },
});

const banners = new Banners(byId('model-banner'), byId('connection-banner'), () =>
  connection.reconnectNow(),
);
const ui = new ChatUi({
  log,
  dialog,
  send: (frame) => connection.send(frame),
  onRunningChange: (running) => composer.setRunning(running),
  onSession: (model, notice) => banners.showModel(model, notice),
});
const composer = new Composer(
  byId<HTMLFormElement>('composer'),
  byId<HTMLTextAreaElement>('input'),
  byId<HTMLButtonElement>('cancel'),
  (content) => {
    const id = newClientId();
    ui.addUserMessage(id, content);
    connection.send({ type: 'message', id, content });
  },
  () => {
    const messageId = ui.latestRunning;
    if (messageId) connection.send({ type: 'cancel', messageId });
  },
);

handleCitationClicks(log);
followLog(log);
connection.start();
composer.focus();

// A test hook (read-only): browser tests close `socket` to simulate a dropped connection.
Object.defineProperty(window, '__chat', {
  value: Object.freeze({
    get socket() {
      return connection.socket;
    },
  }),
});
