/**
 * The page's state and the one place server frames change it: which answers are running (keyed
 * by the client id that started them), the answer views by server message id, and which
 * messages the log already shows (so history after a reconnect adds only what is missing).
 */
import type { HistoryMessage, ServerFrame } from '../../src/protocol/frames.js';
import type { ConfirmDialog } from './confirm-dialog.js';
import type { DocumentViewer } from './document-viewer.js';
import type { DocumentsPanel } from './documents-panel.js';
import { errorNote } from './error-note.js';
import { AnswerView, systemNote, userMessage } from './message-view.js';

export interface ChatUiDeps {
  log: HTMLElement;
  dialog: ConfirmDialog;
  send: (
    frame:
      | { type: 'confirm'; toolCallId: string; approve: boolean }
      | { type: 'history'; limit: number }
      | { type: 'feedback'; messageId: string; rating: 'up' | 'down'; reason?: string },
  ) => void;
  viewer: DocumentViewer;
  docsPanel: DocumentsPanel;
  onRunningChange: (running: boolean) => void;
  onSession: (model: string | null, notice: string | undefined, title: string | undefined) => void;
}

const HISTORY_PAGE = 50;

export class ChatUi {
  /** Client message id -> its answer, once `start` arrived (null until then). */
  private readonly running = new Map<string, AnswerView | null>();
  private readonly answers = new Map<string, AnswerView>();
  private readonly shown = new Set<string>();
  /** A session frame came before: a resumed one now is a reconnect worth a quiet note. */
  private everConnected = false;

  constructor(private readonly deps: ChatUiDeps) {}

  private readonly rate = (messageId: string, rating: 'up' | 'down', reason?: string): void =>
    this.deps.send({
      type: 'feedback',
      messageId,
      rating,
      ...(reason && { reason }),
    });

  /** The newest running answer's client id: what Cancel stops. */
  get latestRunning(): string | undefined {
    return [...this.running.keys()].pop();
  }

  addUserMessage(clientId: string, text: string): void {
    this.shown.add(clientId);
    this.append(userMessage(text, clientId));
    this.running.set(clientId, null);
    this.deps.onRunningChange(true);
  }

  /** Another conversation is opened (or a new one started): the log starts empty. */
  reset(): void {
    this.running.clear();
    this.answers.clear();
    this.shown.clear();
    this.deps.dialog.withdrawAll();
    this.deps.log.replaceChildren();
    this.deps.onRunningChange(false);
  }

  /**
   * The connection is gone for good (refused, or the session could not be resumed): answers in
   * flight will not stream on, approvals are void. A drop that resumes loses nothing: the
   * gateway replays what the page missed.
   */
  connectionLost(): void {
    for (const answer of this.running.values())
      answer?.interrupt('Connection lost before the answer finished.');
    this.settle([...this.running.keys()]);
    this.deps.dialog.withdrawAll();
  }

  apply(frame: ServerFrame): void {
    switch (frame.type) {
      case 'session':
        this.deps.onSession(frame.model, frame.notice, frame.title);
        if (frame.resumed) {
          if (this.everConnected) this.append(systemNote('Reconnected.', 'quiet'));
          this.deps.send({ type: 'history', limit: HISTORY_PAGE });
        }
        this.everConnected = true;
        return;
      case 'start': {
        if (this.answers.has(frame.messageId)) return;
        const answer = new AnswerView(frame.messageId, frame.replyTo, this.rate);
        answer.setRoute(frame.queryType, frame.reason);
        this.answers.set(frame.messageId, answer);
        this.shown.add(frame.messageId);
        this.running.set(frame.replyTo, answer);
        this.append(answer.el);
        return;
      }
      case 'text-delta':
        this.answers.get(frame.messageId)?.appendDelta(frame.delta);
        return;
      case 'source':
        this.answers.get(frame.messageId)?.addSource(frame);
        return;
      case 'tool-call':
        this.answers.get(frame.messageId)?.tool(frame.toolCallId, frame.toolName, frame.input);
        return;
      case 'confirm-request':
        this.confirm(frame);
        return;
      case 'tool-result':
        this.answers
          .get(frame.messageId)
          ?.findTool(frame.toolCallId)
          ?.setResult(frame.text, frame.isError);
        return;
      case 'finish': {
        const answer = this.answers.get(frame.messageId);
        answer?.finish(
          frame.finishReason,
          frame.response.toolsUsed,
          frame.response.content,
          frame.usage,
        );
        this.settle([answer?.replyTo ?? '']);
        return;
      }
      case 'history':
        this.addHistory(frame.messages);
        return;
      case 'document':
        this.deps.viewer.show(frame);
        return;
      case 'documents':
        this.deps.docsPanel.show(frame);
        return;
      case 'feedback':
        this.answers.get(frame.messageId)?.feedbackSaved(frame.rating);
        return;
      case 'error':
        this.error(frame);
        return;
    }
  }

  private confirm(frame: Extract<ServerFrame, { type: 'confirm-request' }>): void {
    const tool = this.answers
      .get(frame.messageId)
      ?.tool(frame.toolCallId, frame.toolName, frame.input);
    tool?.setStatus('awaiting approval');
    void this.deps.dialog.ask(frame).then((approve) => {
      if (approve === null) {
        tool?.setStatus('not answered');
        return;
      }
      tool?.setStatus(approve ? 'approved' : 'refused');
      this.deps.send({ type: 'confirm', toolCallId: frame.toolCallId, approve });
    });
  }

  private error(frame: Extract<ServerFrame, { type: 'error' }>): void {
    const { replyTo } = frame;
    const note = errorNote(frame.code, frame.message, frame.retryable);
    if (replyTo && this.running.has(replyTo)) {
      const answer = this.running.get(replyTo);
      if (answer) answer.interrupt(note);
      else this.append(note);
      this.settle([replyTo]);
    } else if (replyTo === 'document') {
      this.deps.viewer.fail(frame.message);
    } else if (replyTo === 'documents') {
      this.deps.docsPanel.fail(frame.message);
    } else if (replyTo === 'resume') {
      if (frame.code === 'SEQ_AHEAD') return; // resumed; the history request fills the log
      this.connectionLost();
      this.append(systemNote('The previous session could not be resumed; a new one has started.'));
    } else {
      this.append(note);
    }
  }

  private addHistory(newestFirst: HistoryMessage[]): void {
    for (const m of [...newestFirst].reverse()) {
      if (m.role === 'user') {
        const id = m.clientMessageId ?? m.messageId;
        if (this.shown.has(id)) continue;
        this.shown.add(id);
        this.append(userMessage(m.content, id));
        continue;
      }
      const existing = this.answers.get(m.messageId);
      if (existing?.complete) continue;
      const answer = existing ?? new AnswerView(m.messageId, m.replyTo ?? '', this.rate);
      if (!existing) {
        if (m.queryType) answer.setRoute(m.queryType);
        if (m.citations) for (const c of m.citations) answer.addSource(c);
        // Answers stored before citations were kept have source names only, numbered in
        // citation order, so `[n]` still links.
        else
          (m.sources ?? []).forEach((source, i) =>
            answer.addSource({ n: i + 1, source, snippet: '' }),
          );
        this.answers.set(m.messageId, answer);
        this.shown.add(m.messageId);
        this.append(answer.el);
      }
      answer.finish(m.finishReason ?? 'stop', m.toolsUsed ?? [], m.content, m.usage);
      if (m.feedback) answer.feedbackSaved(m.feedback.rating, false);
    }
  }

  private settle(clientIds: string[]): void {
    for (const id of clientIds) this.running.delete(id);
    this.deps.onRunningChange(this.running.size > 0);
  }

  private append(el: HTMLElement): void {
    this.deps.log.append(el);
  }
}
