/** The ingress VirtualService of the --host review: /reviews and /ratings, each split between its v1 and v2. */
import type { FakeKubeApi } from '../../src/sandbox/kube-api.ts';
import type { FakeSlack } from '../../src/sandbox/slack-api.ts';
import { buttons } from '../support/blocks.ts';
import type { Bot } from '../support/bot.ts';
import { putService, putVirtualService, requestCard, route, vsWeights } from '../breaker-canary/world.ts';

export interface Split {
  readonly first: readonly [string, number];
  readonly second: readonly [string, number];
}

const split = (weights: readonly [number, number]): Split => ({ first: ['v1', weights[0]], second: ['v2', weights[1]] });

export function seedIngress(api: FakeKubeApi, options: { namespace?: string; reviews?: readonly [number, number] | Split; ratings?: readonly [number, number] | Split; annotations?: Record<string, string> } = {}): void {
  const namespace = options.namespace ?? 'bookinfo';
  const asSplit = (value: readonly [number, number] | Split | undefined): Split => (value === undefined ? split([90, 10]) : 'first' in value ? value : split(value));
  const reviews = asSplit(options.reviews);
  const ratings = asSplit(options.ratings);
  putService(api, 'reviews', { v1: 1, v2: 1 }, { namespace });
  putService(api, 'ratings', { v1: 1, v2: 1 }, { namespace });
  const destinations = (host: string, chosen: Split) => [chosen.first, chosen.second].map(([subset, weight]) => ({ host, subset, weight }));
  putVirtualService(api, [
    route('reviews', destinations('reviews', reviews), { match: [{ uri: { prefix: '/reviews' } }] }),
    route('ratings', destinations('ratings', ratings), { match: [{ uri: { prefix: '/ratings' } }] }),
  ], { namespace, name: 'bookinfo', hosts: ['bookinfo.example.com'], ...(options.annotations ? { metadata: { annotations: options.annotations } } : {}) });
}

export const ingressWeights = (api: FakeKubeApi, namespace = 'bookinfo'): string[][] => vsWeights(api, 'bookinfo', namespace);

/** Asks for a promotion, Bob approves it, and the card shows its Roll back button. */
export async function approve(slack: FakeSlack, bot: Bot, text: string): Promise<{ cardTs: string; id: string }> {
  const { card, id } = await requestCard(slack, bot, text);
  await bot.click({ actionId: 'canary_approve', value: id, userId: 'U0BOB', channelId: 'C0REL', messageTs: card.ts });
  await slack.waitFor((fake) => {
    const current = fake.message('C0REL', card.ts);
    return current && buttons(current.blocks).some((element) => element.action_id === 'canary_rollback') ? current : undefined;
  }, { timeoutMs: 10_000 });
  return { cardTs: card.ts, id };
}

/** The card as it reads now: its text and whether it still offers Roll back. */
export function cardNow(slack: FakeSlack, ts: string): { text: string; rollback: boolean } {
  const card = slack.message('C0REL', ts);
  return { text: JSON.stringify(card?.blocks ?? []), rollback: buttons(card?.blocks ?? []).some((element) => element.action_id === 'canary_rollback') };
}
