import { ChatError, SessionNotFoundError } from '../errors.js';
import { conversationOwner, type Identity, type SessionStore } from '../ports/session-store.js';
import type {
  ConversationDeleteFrame,
  ConversationRenameFrame,
  ConversationsRequestFrame,
  ConnectionReplyFrame,
} from '../protocol/frames.js';
import { toTitle } from '../sessions/conversation-list.js';

export type ConversationFrame =
  ConversationsRequestFrame | ConversationRenameFrame | ConversationDeleteFrame;

export interface ConversationFramesOptions {
  store: Pick<SessionStore, 'listConversations' | 'renameConversation' | 'deleteConversation'>;
  /**
   * Anonymous sessions belong to one user, who may list and change them all (a local gateway
   * without sign-in). Otherwise an anonymous caller is refused: the conversations of several
   * people sharing one token are nobody's to list.
   */
  anonymousOwner: boolean;
}

/** Conversations shown when the client asks for no particular number. */
const DEFAULT_LIMIT = 20;

/**
 * The `conversations`, `conversation-rename` and `conversation-delete` frames, for the local
 * core and the Lambda routes alike. Each caller sees only their own conversations: another
 * user's session id is answered exactly like an unknown one.
 */
export class ConversationFrames {
  constructor(private readonly options: ConversationFramesOptions) {}

  /** The frame that answers `frame` for the caller (`identity` absent: anonymous). */
  async answer(
    frame: ConversationFrame,
    identity: Identity | undefined,
  ): Promise<ConnectionReplyFrame> {
    if (!identity && !this.options.anonymousOwner) {
      throw new ChatError(
        'SIGN_IN_REQUIRED',
        'Conversations are kept per signed-in user; sign in to list, rename or delete yours.',
        false,
      );
    }
    const owner = conversationOwner(identity);
    const { store } = this.options;
    switch (frame.type) {
      case 'conversations': {
        const page = await store.listConversations(owner, {
          limit: frame.limit ?? DEFAULT_LIMIT,
          ...(frame.cursor !== undefined && { cursor: frame.cursor }),
          ...(frame.query?.trim() && { query: frame.query }),
        });
        return { type: 'conversations', ...page };
      }
      case 'conversation-rename': {
        // Control characters (NUL, escapes) become spaces; a title of nothing visible (spaces,
        // zero-width and other format characters) would be an entry nobody can see or click.
        const title = frame.title.replace(/\p{Cc}/gu, ' ').trim();
        if (!/[^\s\p{Cf}]/u.test(title))
          throw new ChatError(
            'INVALID_FRAME',
            'conversation-rename: title is blank (nothing visible in it); send the new name',
            false,
          );
        if (!(await store.renameConversation(owner, frame.sessionId, title))) throw notFound();
        return { type: 'conversation-renamed', sessionId: frame.sessionId, title: toTitle(title) };
      }
      case 'conversation-delete':
        if (!(await store.deleteConversation(owner, frame.sessionId))) throw notFound();
        return { type: 'conversation-deleted', sessionId: frame.sessionId };
    }
  }
}

/** The same answer for an unknown id and for another user's: a guess learns nothing. */
function notFound(): SessionNotFoundError {
  return new SessionNotFoundError(
    'This conversation does not exist or was deleted; refresh the list of conversations.',
  );
}
