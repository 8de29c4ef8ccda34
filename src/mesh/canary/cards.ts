import type { Result } from '../../result.ts';
import type { PromotionRequest } from './request.ts';

/** Where approval cards live (Slack); the domain only says when to post, update or reply. */
export interface ApprovalCards {
  /** `notify`: mentions of the approvers, put in the card's top-level text so Slack notifies them. */
  post(request: PromotionRequest, channel: string, notify?: string): Promise<Result<{ readonly channel: string; readonly ts: string }, string>>;
  /** Re-renders the card from the request's current state (chat.update); true when Slack took it. */
  update(request: PromotionRequest): Promise<boolean>;
  /** A thread reply under the card, for the audit trail people read. */
  reply(request: PromotionRequest, text: string): Promise<void>;
}

/** Cards of requests that ended without a decision (a rollback made them obsolete): rewritten, and told why in their thread. */
export async function showEnded(show: (request: PromotionRequest) => Promise<unknown>, cards: ApprovalCards | undefined, ended: readonly PromotionRequest[]): Promise<void> {
  for (const request of ended) {
    await show(request);
    await cards?.reply(request, `Cancelled: ${request.outcome?.message ?? 'nothing was changed.'}`);
  }
}
