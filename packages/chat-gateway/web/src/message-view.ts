/**
 * The views of one exchange: the user's message (plain text) and the streamed answer (Markdown,
 * re-rendered at most once per animation frame however fast deltas arrive).
 */
import type { QueryType, SourceFrame, TokenUsage } from '../../src/protocol/frames.js';
import { FeedbackView, type Rate } from './feedback-view.js';
import { linkCitations, passageOf, sourceCardId } from './citations.js';
import { addCopyButtons } from './copy-code.js';
import { h } from './dom.js';
import { renderMarkdown } from './render-markdown.js';
import { sourceSnippet } from './source-snippet.js';
import { ToolView } from './tool-view.js';

const ROUTE_LABEL: Record<QueryType, string> = { rag: 'RAG', general: 'general', mcp_tool: 'tool' };
const FINISH_LABEL: Record<string, string> = {
  length: 'cut short (length limit)',
  'tool-limit': 'stopped after the tool step limit',
  cancelled: 'cancelled',
  error: 'failed',
};

export function userMessage(text: string, clientId: string): HTMLElement {
  return h(
    'article',
    { className: 'msg msg-user', attrs: { 'data-client-id': clientId, 'aria-label': 'you' } },
    h('p', { className: 'msg-text', text }),
  );
}

export function systemNote(text: string, kind: 'info' | 'error' | 'quiet' = 'info'): HTMLElement {
  return h('p', { className: `note note-${kind}`, text });
}

export class AnswerView {
  readonly el: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly tools: HTMLElement;
  private readonly body: HTMLElement;
  private readonly sources: HTMLOListElement;
  private readonly toolViews = new Map<string, ToolView>();
  private text = '';
  private frame = 0;
  private interruption: HTMLElement | null = null;
  /** False while streaming or after the stream broke off; history may complete it. */
  complete = false;

  private readonly footer: HTMLElement;
  private feedback: FeedbackView | undefined;

  constructor(
    readonly messageId: string,
    readonly replyTo: string,
    private readonly rate?: Rate,
  ) {
    this.footer = h('div', { className: 'msg-footer' });
    this.footer.hidden = true;
    this.meta = h('div', { className: 'msg-meta' });
    this.tools = h('div', { className: 'msg-tools' });
    this.body = h('div', { className: 'msg-body' });
    this.sources = h('ol', { className: 'sources', attrs: { 'aria-label': 'sources' } });
    this.sources.hidden = true;
    this.el = h(
      'article',
      {
        className: 'msg msg-assistant',
        attrs: { 'data-message-id': messageId, 'aria-label': 'answer' },
      },
      this.meta,
      this.tools,
      this.body,
      this.sources,
      this.footer,
    );
    this.el.setAttribute('aria-busy', 'true');
  }

  setRoute(queryType: QueryType, reason?: string): void {
    this.meta.replaceChildren(
      h('span', { className: `route route-${queryType}`, text: ROUTE_LABEL[queryType] }),
    );
    if (reason) this.meta.append(h('span', { className: 'reason', text: reason }));
  }

  appendDelta(delta: string): void {
    this.text += delta;
    if (this.frame === 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  addSource(
    s: Pick<SourceFrame, 'n' | 'source' | 'snippet'> & { title?: string; score?: number },
  ): void {
    const card = h(
      'li',
      {
        className: 'source',
        attrs: { id: sourceCardId(this.messageId, s.n), tabindex: '-1', value: String(s.n) },
      },
      h('span', { className: 'source-n', text: `[${s.n}]` }),
      h('span', { className: 'source-title', text: s.title ?? s.source }),
    );
    if (s.title) card.append(h('span', { className: 'source-name', text: s.source }));
    if (s.score !== undefined)
      card.append(h('span', { className: 'source-score', text: `score ${s.score.toFixed(2)}` }));
    if (s.snippet) card.append(sourceSnippet(s.snippet));
    card.append(
      h('button', {
        className: 'source-open secondary',
        text: 'Open',
        attrs: {
          type: 'button',
          'aria-label': `open source ${s.n} in the document viewer`,
          'data-page-control': '',
        },
      }),
    );
    passageOf.set(card, {
      source: s.source,
      snippet: s.snippet,
      ...(s.title !== undefined && { title: s.title }),
    });
    document.getElementById(card.id)?.remove();
    this.sources.append(card);
    this.sources.hidden = false;
  }

  tool(toolCallId: string, toolName: string, input: Record<string, unknown>): ToolView {
    let view = this.toolViews.get(toolCallId);
    if (!view) {
      view = new ToolView(toolCallId, toolName, input);
      this.toolViews.set(toolCallId, view);
      this.tools.append(view.el);
    }
    return view;
  }

  findTool(toolCallId: string): ToolView | undefined {
    return this.toolViews.get(toolCallId);
  }

  finish(finishReason: string, toolsUsed: string[], content?: string, usage?: TokenUsage): void {
    if (content !== undefined && content.length >= this.text.length) this.text = content;
    this.render();
    if (toolsUsed.length > 0) {
      this.meta.append(
        h('span', { className: 'tools-used', text: `tools: ${toolsUsed.join(', ')}` }),
      );
    }
    if (finishReason !== 'stop') {
      this.meta.append(
        h('span', {
          className: `finish finish-${finishReason}`,
          text: FINISH_LABEL[finishReason] ?? finishReason,
        }),
      );
    }
    this.showFooter(usage);
    this.complete = true;
    // An error's note says what went wrong and what to do: it stays. A broken-off stream that
    // history completed later is no longer interrupted.
    if (finishReason !== 'error' || !this.interruption?.dataset['code'])
      this.interruption?.remove();
    this.el.removeAttribute('aria-busy');
  }

  /** The gateway stored the user's rating of this answer. */
  feedbackSaved(rating: 'up' | 'down', announce = true): void {
    this.showFooter();
    this.feedback?.saved(rating, announce);
  }

  private showFooter(usage?: TokenUsage): void {
    if (usage && !this.footer.querySelector('.usage')) {
      this.footer.prepend(
        h('span', {
          className: 'usage',
          text: `${usage.inputTokens} tokens in · ${usage.outputTokens} out`,
          attrs: { title: 'Tokens the model reported for this answer' },
        }),
      );
    }
    if (this.rate && !this.feedback) {
      this.feedback = new FeedbackView(this.messageId, this.rate);
      this.footer.append(this.feedback.el);
    }
    this.footer.hidden = this.footer.childElementCount === 0;
  }

  /** The stream stopped without a finish (error frame or lost connection). */
  interrupt(reason: string | HTMLElement): void {
    this.render();
    this.el.removeAttribute('aria-busy');
    this.interruption?.remove();
    this.interruption = typeof reason === 'string' ? systemNote(reason, 'error') : reason;
    this.el.append(this.interruption);
  }

  private render(): void {
    if (this.frame !== 0) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const fragment = renderMarkdown(this.text);
    linkCitations(fragment, this.messageId);
    addCopyButtons(fragment);
    this.body.replaceChildren(fragment);
  }
}
