import type { AnalyticsRecorder } from '../analytics/analytics-recorder.js';
import { ChatError } from '../errors.js';
import type { SessionStore } from '../ports/session-store.js';
import type { FeedbackFrame, FeedbackRequestFrame } from '../protocol/frames.js';

/**
 * Stores a thumbs up/down with the answer it rates and counts it in analytics; the returned
 * frame tells the page it is kept. Shared by the local core and the Lambda routes.
 */
export async function saveFeedback(
  deps: {
    store: Pick<SessionStore, 'setFeedback'>;
    analytics: Pick<AnalyticsRecorder, 'feedback'>;
  },
  sessionId: string,
  frame: FeedbackRequestFrame,
  now: number,
): Promise<FeedbackFrame> {
  const reason = frame.reason?.trim() || undefined;
  const stored = await deps.store.setFeedback(sessionId, frame.messageId, {
    rating: frame.rating,
    ...(reason !== undefined && { reason }),
    at: new Date(now).toISOString(),
  });
  if (!stored) {
    throw new ChatError(
      'NOT_FOUND',
      `No answer ${frame.messageId} is in this session; rate an answer shown in this chat.`,
      false,
    );
  }
  await deps.analytics.feedback(sessionId, {
    messageId: frame.messageId,
    rating: frame.rating,
    hasReason: reason !== undefined,
  });
  return {
    type: 'feedback',
    messageId: frame.messageId,
    rating: frame.rating,
    ...(reason !== undefined && { reason }),
  };
}
