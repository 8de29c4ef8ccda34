// "Examples in the README are part of the product: test them verbatim." Every terminal command the README shows
// (`mesh-bot …`, `npx mesh-bot …`) and every `/mesh …` the sandbox suggests (the README's **Try:** list and the
// page's own list) is read from those files and run as written against the sandbox's demo mesh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/log.ts';
import { startSandbox, type RunningSandbox } from '../src/sandbox/sandbox.ts';
import type { StoredMessage } from '../src/sandbox/slack-api.ts';
import { cli } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PAGE_SCRIPT = readFileSync(new URL('../src/sandbox/ui/app.js', import.meta.url), 'utf8');

/** A usage line (`mesh-bot <command> [-o text|json]`, `mesh-bot canary promote …`) describes commands; it is not one. */
const PLACEHOLDER = /[<>[\]|…]/;

/** `mesh-bot …` command lines of the README's shell blocks and inline code, without comments, in README order. */
function terminalExamples(readme: string): string[] {
  const fromBlocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
    .flatMap((block) => (block[1] ?? '').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^(npx )?mesh-bot /.test(line));
  const inline = [...readme.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`((?:npx )?mesh-bot [^`]+)`/g)].map((match) => (match[1] ?? '').trim());
  return [...new Set([...fromBlocks, ...inline])].filter((line) => !PLACEHOLDER.test(line));
}

/** The `/mesh …` commands of the README's **Try:** bullet (it wraps over several lines). */
function readmeTryList(readme: string): string[] {
  const start = readme.indexOf('- **Try:**');
  assert.ok(start >= 0, 'the README has a **Try:** list for the sandbox');
  const rest = readme.slice(start + 1);
  const end = rest.search(/\n- /);
  const bullet = rest.slice(0, end < 0 ? undefined : end).replace(/\s*\n\s*/g, ' ');
  return [...bullet.matchAll(/`(\/mesh [^`]+)`/g)].map((match) => (match[1] ?? '').trim());
}

/** The examples the sandbox page itself offers (its EXAMPLES list). */
function pageExamples(script: string): string[] {
  const list = /const EXAMPLES = \[([\s\S]*?)\];/.exec(script)?.[1];
  assert.ok(list, 'the sandbox page lists its examples in EXAMPLES');
  return [...list.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
}

/** How a shell splits these lines: none of them quotes anything. */
function argvOf(line: string): string[] {
  assert.doesNotMatch(line, /["'\\$]/, `${line} needs a shell to split; run it by hand`);
  return line.replace(/^(npx )?mesh-bot /, '').split(/\s+/);
}

const OPS = 'C0MESHOPS';
/** Olivia, the sandbox's operator: the README's Try list runs its promotion and rollback as her. */
const OLIVIA = 'U0OPERATOR';
/** What an answer that failed starts with (mesh-bot's error, refusal, crash and cannot-post sentences). */
const FAILED = /^:(x|no_entry|boom|warning):/;

describe('the README\'s examples, run verbatim against the sandbox', () => {
  let sandbox: RunningSandbox;
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const audits = () => logLines.flatMap((line) => (line['audit'] ? [line['audit'] as Record<string, unknown>] : []));
  const shellKubeconfig = process.env['KUBECONFIG'];
  before(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'info', logger: createLogger('info', sink) });
    // The README's "export those two variables": the Kubernetes client reads KUBECONFIG from the process.
    process.env['KUBECONFIG'] = sandbox.kubeconfigPath;
  });
  after(async () => {
    if (shellKubeconfig === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = shellKubeconfig;
    await sandbox.stop();
  });

  /** The line run as a shell with the sandbox's ISTIOCTL exported would run it (KUBECONFIG is exported above). */
  const terminal = (line: string) => cli(argvOf(line), {}, { ISTIOCTL: sandbox.istioctlPath });

  const examples = terminalExamples(README);
  it('finds the terminal examples (the README shows several)', () => {
    assert.ok(examples.length >= 5, `terminal examples found: ${examples.join(' | ')}`);
  });
  for (const line of examples) {
    it(`\`${line}\` answers on stdout with exit 0 and nothing on stderr`, async () => {
      const run = await terminal(line);
      assert.equal(run.stderr, '', `${line}: ${run.stderr}`);
      assert.equal(run.code, 0);
      assert.notEqual(run.stdout.trim(), '');
      if (/-o json\b/.test(line)) {
        const json = JSON.parse(run.stdout) as { errors?: unknown };
        assert.deepEqual(json.errors, [], `${line} reports no error in its JSON`);
      }
    });
  }

  /**
   * What the bot said to a command typed on the page, and the outcome it audited. The audit line is written once
   * the answer is posted, so every message of this command (not a late one of the last) is in by then.
   */
  async function slashAnswers(text: string, user: string): Promise<{ said: StoredMessage[]; outcome: string }> {
    const since = sandbox.slack.messages(OPS).length;
    const auditsBefore = audits().length;
    const response = await fetch(`http://127.0.0.1:${sandbox.port}/sandbox/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: OPS, user, text }) });
    assert.equal(response.status, 200, `${text} was accepted by the page`);
    // A rollback answers after its propagation proof, a proxy-status run 10 s (istiod's debounce) after the write.
    const audit = await eventually(() => audits()[auditsBefore], 30_000);
    const said = sandbox.slack.messages(OPS).slice(since).filter((message) => message.user === sandbox.slack.botUserId && !/^:hourglass_flowing_sand:/.test(message.text));
    return { said, outcome: String(audit['outcome']) };
  }

  const suggested = [...new Set([...readmeTryList(README), ...pageExamples(PAGE_SCRIPT)])];
  it('finds the sandbox\'s suggestions (the README\'s Try list and the page\'s list)', () => {
    assert.ok(suggested.includes('/mesh canary rollback reviews -n bookinfo'), `suggestions found: ${suggested.join(' | ')}`);
  });
  for (const text of suggested) {
    it(`\`${text}\` gets an answer that is no error`, async () => {
      const { said, outcome } = await slashAnswers(text, OLIVIA);
      assert.ok(said.length > 0, `${text} gets an answer`);
      for (const message of said) assert.doesNotMatch(message.text, FAILED, `${text}: ${message.text}`);
      assert.equal(outcome, 'ok', `${text} is audited ok`);
    });
  }
});
