/**
 * Collects a child process's output into `lines`, line by line as it arrives (a line split over two chunks is
 * joined), calling `onLine` for each: tests wait for the line that says a process serves, then read them all.
 */
export function collectLines(stream: NodeJS.ReadableStream | null, lines: string[], onLine: (line: string) => void = () => undefined): void {
  let rest = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
}
