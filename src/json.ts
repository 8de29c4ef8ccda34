/** JSON.parse for text from outside (button values, Status bodies): malformed text is just "nothing". */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
