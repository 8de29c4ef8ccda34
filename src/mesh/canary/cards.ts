import type { Result } from '../../result.ts';
import type { PromotionRequest } from './request.ts';

/** Where approval cards live (Slack); the domain only says when to post, update or reply. */
export interface ApprovalCards {
  post(request: PromotionRequest, channel: string): Promise<Result<{ readonly channel: string; readonly ts: string }, string>>;
  /** Re-renders the card from the request's current state (chat.update). */
  update(request: PromotionRequest): Promise<void>;
  /** A thread reply under the card, for the audit trail people read. */
  reply(request: PromotionRequest, text: string): Promise<void>;
}
