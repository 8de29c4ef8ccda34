/** JSON.parse for text from outside (button values, Status bodies): malformed text is just "nothing". */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * A fact istioctl left blank (a WARMING secret's NOT AFTER, an Initializing identity's serial) in `-o json`: null,
 * as every field that was not read is (README "Terminal mode and JSON"), never "" that a script's date parser
 * would choke on.
 */
export function absentAsNull(text: string): string | null {
  return text === '' ? null : text;
}
