/** `1 proxy`, `2 proxies`, `0 findings`: a count with the noun that agrees with it. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
