// DESIGN.md §2 and §4: "A missing or invalid setting stops the process at start with one line that names the setting
// and the problem"; the config file is YAML, validated at start. Odd values an admin really writes: a PORT of
// spaces or hex, a SLACK_API_URL of another scheme, a wait of 30 days, a file that is a list, two documents in one
// file, YAML merge keys.

import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { cluster, meshBot, namespace, type Cluster } from '../breaker-ambient/support/harness.ts';
import { fakeIstioctl } from '../support/bot.ts';
import { emptyHome, start } from './support/start.ts';

async function refusal(env: Record<string, string>, fileText?: string): Promise<string> {
  const result = await loadConfig(fileText === undefined ? env : { ...env, MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => fileText ?? '');
  assert.equal(result.ok, false, `expected ${JSON.stringify(env)} ${JSON.stringify(fileText)} to be refused`);
  return result.ok ? '' : result.error.message;
}

describe('PORT', () => {
  it('of spaces stops the process naming PORT, instead of serving on a random port no probe finds', async () => {
    const outcome = await start({ HOME: await emptyHome(), PORT: '  ', SLACK_BOT_TOKEN: 'xoxb-1-2-three', SLACK_SIGNING_SECRET: 'breaker-config-signing-secret' });
    assert.equal(outcome.result, 2, outcome.lines.join('\n'));
    assert.deepEqual(outcome.lines.filter((line) => line.trim() !== ''), ['mesh-bot: PORT: must be a port number from 0 to 65535, such as 3000']);
  });

  it('refuses hex and exponent spellings Number() would read as another port', async () => {
    for (const port of ['0x1F90', '1e3', '80.0', '-1', '65536']) assert.match(await refusal({ PORT: port }), /^PORT: must be a port number from 0 to 65535/, port);
  });

  it('still takes a port with the trailing newline of the file it came from', async () => {
    const loaded = await loadConfig({ PORT: '8080\n' });
    assert.ok(loaded.ok);
    assert.equal(loaded.value.port, 8080);
  });
});

describe('SLACK_API_URL', () => {
  it('refuses a URL that is not http(s), as its message says', async () => {
    assert.equal(await refusal({ SLACK_API_URL: 'ftp://slack.example.com/api/' }), 'SLACK_API_URL: must be an http(s) URL such as https://slack.com/api/');
    assert.equal(await refusal({ SLACK_API_URL: 'file:///etc/passwd' }), 'SLACK_API_URL: must be an http(s) URL such as https://slack.com/api/');
  });
});

describe('durations longer than a timer can wait', () => {
  let kube: Cluster;
  let istioctl: string;
  before(async () => {
    kube = await cluster([namespace('mesh-bot'), namespace('istio-system')]);
    istioctl = (await fakeIstioctl({ version: '1.24.2' })).path;
  });
  after(() => kube?.close());

  it('istioctl.timeout: 30d stops mesh-bot naming it, instead of every istioctl run "not finishing" at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'breaker-config-'));
    const config = join(dir, 'config.yaml');
    await writeFile(config, 'istioctl:\n  timeout: 30d\n');
    const run = await meshBot(['status'], { KUBECONFIG: kube.kubeconfig, ISTIOCTL: istioctl, MESH_BOT_CONFIG: config });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(run.stderr.trim(), `mesh-bot: MESH_BOT_CONFIG ${config}: istioctl.timeout: "30d" is longer than 24 days, the longest mesh-bot can wait; use 24d or less`);
  });

  it('applies to every duration of the file', async () => {
    assert.match(await refusal({}, 'approvals:\n  propagationTimeout: 1000h\n'), /approvals\.propagationTimeout: "1000h" is longer than 24 days/);
    assert.match(await refusal({}, 'approvals:\n  ttl: 25d\n'), /approvals\.ttl: "25d" is longer than 24 days/);
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, async () => 'approvals:\n  ttl: 24d\n');
    assert.ok(loaded.ok, 'up to 24 days is fine');
  });
});

describe('the shape of the YAML file', () => {
  it('a file that is a list says it must be a mapping, naming the keys, not ": Invalid input"', async () => {
    const message = await refusal({}, '- clusters:\n  - name: prod\n');
    assert.equal(message, 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: the file holds a list, not keys; it must be a YAML mapping with keys such as clusters:, access:, approvals: and digests:');
  });

  it('two documents in one file say so in words an admin knows, with the line', async () => {
    const message = await refusal({}, 'access:\n  channels: [C0OPS]\n---\napprovals:\n  ttl: 30m\n');
    assert.doesNotMatch(message, /parseAllDocuments/);
    assert.match(message, /^MESH_BOT_CONFIG \/etc\/mesh-bot\/config\.yaml: not valid YAML: the file holds several YAML documents \(separated by ---\) at line 3, column 1; mesh-bot reads one/);
  });

  it('takes YAML merge keys, so shared principals can be written once', async () => {
    const yaml = 'access:\n  operators: &leads\n    usergroups: [S0LEADS]\n  approvers:\n    <<: *leads\n    users: [U0BOB]\n';
    const loaded = await loadConfig({ MESH_BOT_CONFIG: '/c.yaml' }, async () => yaml);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    assert.deepEqual(loaded.value.access.approvers, { users: ['U0BOB'], usergroups: ['S0LEADS'] });
  });
});

describe('the four-eyes check at start', () => {
  it('is not bypassed by listing the only approver twice', async () => {
    const message = await refusal({}, 'access:\n  operators: { users: [U0ALICE] }\n  approvers: { users: [U0ALICE, U0ALICE] }\n');
    assert.match(message, /^MESH_BOT_CONFIG \/etc\/mesh-bot\/config\.yaml: access: U0ALICE is the only operator and the only approver, so no promotion could ever be approved/);
  });
});

describe('a duration written as a bare number', () => {
  it('asks for the unit instead of "expected string, received number"', async () => {
    assert.equal(await refusal({}, 'approvals:\n  ttl: 90\n'), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: approvals.ttl: 90 has no unit; write it with one, such as 90s or 90m');
  });
});

describe('word-like settings with a trailing newline (Helm `|` values, files)', () => {
  it('name the newline instead of a list of values the setting seems to match', async () => {
    assert.equal(await refusal({ LOG_LEVEL: 'debug\n' }), 'LOG_LEVEL: has whitespace in it (a trailing newline from a file or a Helm "|" value?); remove it');
    assert.equal(await refusal({ POD_NAMESPACE: 'mesh-bot\n' }), 'POD_NAMESPACE: has whitespace in it (a trailing newline from a file or a Helm "|" value?); remove it');
  });

  it('still name a wrong value as before', async () => {
    assert.match(await refusal({ LOG_LEVEL: 'verbose' }), /^LOG_LEVEL: must be debug, info, warn or error \(pino's levels; info when unset\)$/);
    assert.match(await refusal({ POD_NAMESPACE: 'Mesh-Bot' }), /^POD_NAMESPACE: must be a Kubernetes namespace name/);
  });
});

describe('one id where a list belongs', () => {
  it('says how to write the list instead of "expected array, received string"', async () => {
    assert.equal(await refusal({}, 'access:\n  channels: C0OPS\n'), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: access.channels: must be a list, such as [C0OPS]');
    assert.equal(await refusal({}, 'access:\n  approvers: { usergroups: S0LEADS }\n'), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: access.approvers.usergroups: must be a list, such as [S0LEADS]');
    assert.equal(await refusal({}, 'digests:\n  - { channel: C0OPS, schedule: "0 9 * * *", namespaces: "checkout\\nfoo" }\n'), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: digests[0].namespaces: must be a list, such as [checkout]');
  });
});

describe('a rotating Slack token (token rotation on)', () => {
  it('is named as such, not as "must be a bot token starting with xoxb-"', async () => {
    assert.equal(await refusal({ SLACK_BOT_TOKEN: 'xoxe.xoxb-1-MTIzNDU2Nzg5MA' }), 'SLACK_BOT_TOKEN: is a rotating token (xoxe.…), which expires after 12 hours; turn token rotation off for the app and use its Bot User OAuth Token (xoxb-…)');
  });
});

describe('cron nicknames as a digest schedule', () => {
  it('are refused alike, each with the five fields to write (@midnight and @annually used to pass, @daily not)', async () => {
    const digest = (schedule: string) => `digests:\n  - { channel: C0OPS, schedule: "${schedule}" }\n`;
    assert.equal(await refusal({}, digest('@daily')), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: digests[0].schedule: must be five cron fields; for @daily write "0 0 * * *", or pick the hour, such as "0 9 * * *"');
    assert.equal(await refusal({}, digest('@midnight')), 'MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: digests[0].schedule: must be five cron fields; for @midnight write "0 0 * * *", or pick the hour, such as "0 9 * * *"');
    assert.match(await refusal({}, digest('@annually')), /for @annually write "0 0 1 1 \*"/);
  });
});

describe('a digest schedule with a wrong field', () => {
  const digest = (schedule: string) => `digests:\n  - { channel: C0OPS, schedule: "${schedule}" }\n`;
  const prefix = (schedule: string) => `MESH_BOT_CONFIG /etc/mesh-bot/config.yaml: digests: schedule "${schedule}" is not a cron expression`;

  // The cron library said "Invalid value for day: 31" for 32 and "month: 12" for 13.
  it('names the field and the value written, with cron\'s range', async () => {
    assert.equal(await refusal({}, digest('0 9 32 * *')), `${prefix('0 9 32 * *')} (day-of-month 32 is outside 1-31)`);
    assert.equal(await refusal({}, digest('0 9 * 13 *')), `${prefix('0 9 * 13 *')} (month 13 is outside 1-12)`);
    assert.equal(await refusal({}, digest('0 25 * * 1-5')), `${prefix('0 25 * * 1-5')} (hour 25 is outside 0-23)`);
    assert.equal(await refusal({}, digest('0 9 * * 1-8')), `${prefix('0 9 * * 1-8')} (day-of-week 8 is outside 0-7)`);
  });

  // It said "configuration entry 5 (1-FRY) contains illegal characters": another field number and a value not written.
  it('quotes a field it cannot read as written and says what the field takes', async () => {
    assert.equal(
      await refusal({}, digest('0 9 * * MON-FRY')),
      `${prefix('0 9 * * MON-FRY')} (the day-of-week field "MON-FRY" is not cron: it takes 0-7 or sun-sat (0 and 7 are Sunday), lists (1,3), ranges (1-5) and steps (*/15))`,
    );
    assert.match(await refusal({}, digest('0 9,,10 * * *')), /\(the hour field "9,,10" is not cron: it takes 0-23,/);
  });

  it('counts the fields of a schedule with four', async () => {
    assert.equal(await refusal({}, digest('0 9 1-5 *')), `${prefix('0 9 1-5 *')} (cron takes five fields (minute hour day-of-month month day-of-week), this has 4)`);
  });

  it('still takes names, lists, ranges and steps', async () => {
    for (const schedule of ['0 9 * * mon-fri', '*/15 9-17 * * 1-5', '0 0 1 */3 *', '30 8 * jan-mar 0,7']) {
      const loaded = await loadConfig({ MESH_BOT_CONFIG: '/etc/mesh-bot/config.yaml' }, async () => digest(schedule));
      assert.equal(loaded.ok, true, `${schedule}: ${loaded.ok ? '' : loaded.error.message}`);
    }
  });
});
