// A thread reply holds "every list in full" in code blocks of at most 2,900 characters; a single line longer than
// that (an analyze message quoting a long field) used to be cut there, its end lost.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMrkdwn } from '../../src/slack/blocks.ts';
import { chunkLines } from '../../src/slack/thread-or-file.ts';

describe('chunkLines', () => {
  it('keeps every character of a line longer than a block, in order, in blocks within the limit', () => {
    const long = `start-${'x'.repeat(7_000)}-end`;
    const chunks = chunkLines(`first line\n${long}\nlast line`, 2_900);
    assert.ok(chunks.every((chunk) => chunk.length <= 2_900), chunks.map((chunk) => chunk.length).join(', '));
    assert.equal(chunks.join('\n').replace(/\n/g, ''), `first line${long}last line`);
    assert.match(chunks.at(-1) ?? '', /-end\nlast line$/);
  });

  it('never splits an escaped entity across two blocks', () => {
    // `&` becomes `&amp;`: put one across the 2,900th character.
    const escaped = escapeMrkdwn(`${'a'.repeat(2_897)}&b${'c'.repeat(100)}`);
    const chunks = chunkLines(escaped, 2_900);
    assert.equal(chunks.length, 2);
    assert.ok(chunks[1]?.startsWith('&amp;b'), chunks[1]?.slice(0, 10));
    assert.equal(chunks.join(''), escaped);
  });

  it('keeps lines whole when they fit', () => {
    assert.deepEqual(chunkLines('a\nb\nc', 3), ['a\nb', 'c']);
  });
});
