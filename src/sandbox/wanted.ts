/**
 * Whether `npm start` runs the local sandbox: no Slack setting at all (any of them means someone meant the real
 * bot, so a missing token stays the fatal error it is) and not inside a Kubernetes pod. Kept apart from the
 * sandbox itself so that production never loads it.
 */
export function sandboxWanted(env: NodeJS.ProcessEnv): boolean {
  const set = (name: string) => (env[name] ?? '') !== '';
  return !set('SLACK_BOT_TOKEN') && !set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET') && !set('KUBERNETES_SERVICE_HOST');
}
