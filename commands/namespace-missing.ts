import type { CommandResult } from '../src/command.ts';
import { escapeMrkdwn, message, section } from '../src/slack/blocks.ts';

/**
 * `-n` named a namespace the API server does not know (usually a typo). Never an empty, green answer: an
 * ephemeral error for the person who typed it (the channel does not need the typo), stderr and exit 1 in a
 * terminal, the sentence in `errors` of the JSON.
 */
export function namespaceMissingResult(options: { command: string; cluster: string; asOf: Date; message: string; json: () => Record<string, unknown> }): CommandResult {
  return {
    envelope: { command: options.command, cluster: options.cluster, asOf: options.asOf, errors: [options.message] },
    failed: true,
    ephemeral: true,
    toJson: options.json,
    toText: () => `${options.message}\n`,
    toSlack: () => message(`:x: ${options.message}`, [section(`:x: ${escapeMrkdwn(options.message)}`)]),
  };
}
