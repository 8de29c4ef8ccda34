import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label: what Kubernetes accepts as a namespace name. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** RFC 1123 subdomain: what Kubernetes accepts for most object names (pods, VirtualServices). */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

export const namespaceName = z
  .string()
  .refine(isDnsLabel, { message: 'must be a Kubernetes namespace name (lower-case letters, digits and "-", at most 63)' });

export const objectName = z
  .string()
  .refine(isDnsSubdomain, { message: 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".", at most 253)' });

/** Slack ids: users U…/W…, channels C…/G…/D…, user groups S…. */
export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id like U0123ABCD');
export const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0123ABCD');
export const slackUsergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id like S0123ABCD');
