/** The chat page's composition root: finds the static elements, wires the parts, connects. */
import { Banners } from './banner.js';
import { handleCitationClicks } from './citations.js';
import { Composer } from './composer.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DocumentViewer } from './document-viewer.js';
import { DocumentsPanel } from './documents-panel.js';
import { sendToGateway, wireUpload } from './upload.js';
import { PresignedUploads } from './presigned-upload.js';
import { Connection } from './connection.js';
import type { ClientFrame } from '../../src/protocol/frames.js';
import { handleCopyClicks } from './copy-code.js';
import { followLog } from './auto-scroll.js';
import { newClientId } from './ids.js';
import { accessToken, rememberAccessToken } from './access-token.js';
import { TokenPrompt } from './token-prompt.js';
import { Account } from './account.js';
import { CognitoSignIn } from './cognito-sign-in.js';
import { ChatUi } from './ui-state.js';
import { ConversationsSidebar } from './conversations-sidebar.js';
import { defaultWebConfig, loadWebConfig, socketUrl, type WebConfig } from './web-config.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

const log = byId<HTMLElement>('log');
const dialog = new ConfirmDialog(byId<HTMLDialogElement>('confirm'));
// The parts call each other only from event handlers, which run after all of them exist.
let config: WebConfig = defaultWebConfig(location);
let started = false;
let token = accessToken(sessionStorage);
/** With `auth: "cognito"` in config.json. */
let cognito: CognitoSignIn | undefined;
const TOKEN_NEEDED =
  'Enter the access token you were given for this chat (whoever deployed it reads it from AWS Secrets Manager).';
const connection = new Connection({
  // Cognito: the ID token is offered as a subprotocol beside "chatbot", never in the URL.
  url: () => socketUrl(config, cognito ? undefined : token),
  protocols: () => {
    const idToken = cognito?.idToken();
    return idToken ? ['chatbot', idToken] : undefined;
  },
  probe: async () => {
    if (cognito) return cognitoProbe(cognito);
    // API Gateway has no /auth-check and a browser never sees why a handshake failed: with
    // `auth: "token"` a refused or failed handshake asks for the token (again).
    if (config.auth === 'token') return { status: 401, message: TOKEN_NEEDED };
    if (config.auth === 'none') return { status: 0 };
    const res = await fetch('/auth-check', {
      cache: 'no-store',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const body = (await res.json().catch(() => ({}))) as { error?: unknown; login?: unknown };
    return {
      status: res.status,
      ...(typeof body.error === 'string' && { message: body.error }),
      ...(typeof body.login === 'string' && { login: body.login }),
    };
  },
  storage: sessionStorage,
  onFrame: (frame) => {
    if (sidebar.apply(frame)) return;
    if (presigned.handles(frame)) return;
    ui.apply(frame);
    // A delete (or any tool run) finished while the panel is open: show the list as it is now.
    if (frame.type === 'finish' && docsPanel.isOpen && frame.response.queryType === 'mcp_tool')
      docsPanel.refresh();
  },
  onStatus: (status) => {
    if (status.state === 'refused') ui.connectionLost();
    if (status.state === 'refused' && status.status === 401 && status.login !== undefined)
      account.signInNeeded(sessionStorage, status.login);
    else if (status.state === 'refused' && status.status === 401 && !cognito)
      tokenPrompt.ask(status.message, token !== undefined);
    banners.showConnection(status);
  },
});
// Upload frames travel outside the chat protocol (API Gateway routes them on `action`).
const presigned = new PresignedUploads((frame) => connection.send(frame as ClientFrame));
const tokenPrompt = new TokenPrompt(byId<HTMLFormElement>('token-form'), (entered) => {
  token = entered;
  rememberAccessToken(sessionStorage, entered);
  if (started) connection.reconnectNow();
  else connect();
});
const title = byId<HTMLElement>('title');
const account = new Account(byId('account'));

const banners = new Banners(
  byId('model-banner'),
  byId('connection-banner'),
  () => connection.reconnectNow(),
  sessionStorage,
);
const viewer = new DocumentViewer(byId('viewer'), (frame) => connection.send(frame));
const docsPanel = new DocumentsPanel(byId('docs-panel'), {
  request: (frame) => connection.send(frame),
  view: (passage) => viewer.open(passage),
  remove: (source) => sendMessage(`/call delete_document ${JSON.stringify({ source })}`),
});
byId('docs-button').addEventListener('click', () => docsPanel.open());
{
  const panel = byId('docs-panel');
  wireUpload(
    panel.querySelector<HTMLInputElement>('[data-part=files]')!,
    panel,
    panel.querySelector<HTMLElement>('[data-part=uploads]')!,
    {
      token: () => token,
      onStored: () => docsPanel.refresh(),
      // config.json is read after this runs: the choice is made per file.
      send: (...args) =>
        (config.upload?.mode === 'presigned' ? presigned.sender : sendToGateway)(...args),
    },
  );
  // A file dropped anywhere else would make the browser open it in place of the chat.
  for (const type of ['dragover', 'drop'])
    window.addEventListener(type, (event) => {
      if (!panel.contains(event.target as Node)) event.preventDefault();
    });
}
const sidebar = new ConversationsSidebar(
  byId('sidebar'),
  byId('sidebar-backdrop'),
  byId<HTMLButtonElement>('chats-button'),
  byId<HTMLDialogElement>('confirm-delete'),
  {
    send: (frame) => connection.send(frame),
    open: (sessionId) => {
      ui.reset();
      // Signed in (or the one user of a local gateway): who they are opens their conversation.
      connection.send({ type: 'resume', sessionId });
    },
    startNew: () => {
      ui.reset();
      connection.newSession();
      composer.focus();
    },
  },
);
const ui = new ChatUi({
  docsPanel,
  log,
  dialog,
  viewer,
  send: (frame) => connection.send(frame),
  onRunningChange: (running) => composer.setRunning(running),
  onSession: (model, notice, name) => {
    banners.showModel(model, notice);
    tokenPrompt.hide();
    // A title in config.json (the deployed page's) wins over the gateway's name.
    if (name && !config.title) {
      title.textContent = name;
      document.title = name;
    }
  },
});
const composer = new Composer(
  byId<HTMLFormElement>('composer'),
  byId<HTMLTextAreaElement>('input'),
  byId<HTMLButtonElement>('cancel'),
  (content) => sendMessage(content),
  () => {
    const messageId = ui.latestRunning;
    if (messageId) connection.send({ type: 'cancel', messageId });
  },
);

/**
 * API Gateway never says why a handshake failed. An expired token is refreshed (or the user
 * sent to sign in); with a valid one the refusal is retried like a network problem.
 */
async function cognitoProbe(signIn: CognitoSignIn): Promise<{ status: number; message?: string }> {
  if (signIn.idToken() || (await signIn.refresh())) return { status: 0 };
  void signIn.signIn({ automatic: true });
  return { status: 401, message: 'Sign in to chat.' };
}

/** Cognito sign-in: finish or restore it, else go to the hosted UI; then connect. */
async function startCognito(signIn: CognitoSignIn): Promise<void> {
  if (await signIn.start(location)) return connect();
  account.showPageSignIn(undefined, {
    signIn: () => void signIn.signIn(),
    signOut: () => signIn.signOut(),
  });
  await signIn.signIn({ automatic: true });
}

function connect(): void {
  started = true;
  connection.start();
}

function sendMessage(content: string): void {
  const id = newClientId();
  ui.addUserMessage(id, content);
  connection.send({ type: 'message', id, content });
}

handleCitationClicks(log, (passage, focus) => viewer.open(passage, focus));
handleCopyClicks(log);
followLog(log);
composer.focus();
loadWebConfig(location).then(
  (loaded) => {
    config = loaded;
    if (config.title) {
      title.textContent = config.title;
      document.title = config.title;
    }
    // The gateway's own sign-in (/auth/*) exists only where the page asks it (the local one).
    if (config.auth === 'probe') void account.refresh();
    if (config.cognito) {
      const signIn = new CognitoSignIn(config.cognito, sessionStorage, (user) =>
        account.showPageSignIn(user, {
          signIn: () => void signIn.signIn(),
          signOut: () => signIn.signOut(),
        }),
      );
      cognito = signIn;
      startCognito(signIn).catch((error: unknown) =>
        banners.showFatal(error instanceof Error ? error.message : String(error)),
      );
    }
    // Nothing to gain from a handshake that must fail: ask first.
    else if (config.auth === 'token' && !token) tokenPrompt.ask(TOKEN_NEEDED, false);
    else connect();
  },
  (error: unknown) => banners.showFatal(error instanceof Error ? error.message : String(error)),
);

// A test hook (read-only): browser tests close `socket` to simulate a dropped connection.
Object.defineProperty(window, '__chat', {
  value: Object.freeze({
    get socket() {
      return connection.socket;
    },
  }),
});
