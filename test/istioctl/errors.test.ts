import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  classifyFailure,
  notInstalledError,
  outputTooLargeError,
  parseError,
  redact,
  timeoutError,
} from '../../src/istioctl/errors.ts';
import type { IstioctlErrorKind } from '../../src/istioctl/errors.ts';

const corpus = (path: string): string => readFileSync(new URL(`../fixtures/istioctl/${path}`, import.meta.url), 'utf8');

function classify(stderr: string, exitCode = 1, istioNamespace?: string) {
  return classifyFailure(istioNamespace === undefined ? { stderr, exitCode } : { stderr, exitCode, istioNamespace });
}

function assertKind(stderr: string, kind: IstioctlErrorKind, exitCode = 1) {
  const error = classify(stderr, exitCode);
  assert.equal(error.kind, kind, `${JSON.stringify(stderr)} → ${error.kind}`);
  assert.equal(error.exitCode, exitCode);
  assert.ok(error.message.length > 0);
  return error;
}

describe('classifyFailure: proxy-status strings', () => {
  it('no running Istio pods (1.22+, fixture) → no-control-plane naming the namespace', () => {
    const error = assertKind(corpus('proxy-status/empty-and-errors/v1.22+_no-istiod_stderr.txt'), 'no-control-plane');
    assert.equal(error.message, 'istiod is not reachable in istio-system: no running Istio pods. Check `kubectl -n istio-system get pods`.');
    assert.equal(error.detail, 'no running Istio pods in "istio-system"');
  });

  it('names a non-default namespace taken from the string', () => {
    const error = assertKind('Error: no running Istio pods in "istio-prod"\n', 'no-control-plane');
    assert.match(error.message, /istio-prod/);
    assert.match(error.message, /kubectl -n istio-prod get pods/);
  });

  it('unable to find any Istiod instances (1.20-1.21) → no-control-plane in the configured namespace', () => {
    const error = classify('Error: unable to find any Istiod instances\n', 1, 'istio-canary');
    assert.equal(error.kind, 'no-control-plane');
    assert.match(error.message, /istio-canary/);
  });

  it('could not get XDS from discovery pod → xds-unreachable naming the pod', () => {
    const error = assertKind(
      'Error: could not get XDS from discovery pod "istiod-7d4f74889d-mb5dh": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:38291: connect: connection refused"\n',
      'xds-unreachable',
    );
    assert.match(error.message, /istiod-7d4f74889d-mb5dh/);
    assert.match(error.detail, /^could not get XDS from discovery pod/);
  });

  it('could not dial → xds-unreachable', () => {
    assertKind('Error: could not dial: context deadline exceeded\n', 'xds-unreachable');
  });

  it('ADSC: failed running → xds-unreachable', () => {
    assertKind('Error: ADSC: failed running rpc error: code = Unavailable desc = error reading from server: EOF\n', 'xds-unreachable');
  });

  it('no proxies found (1.27.0 empty mesh, fixture) → no-proxies', () => {
    const error = assertKind(corpus('proxy-status/empty-and-errors/v1.27.0_no-proxies_stderr.txt'), 'no-proxies');
    assert.equal(error.detail, 'failed to setup status print: no proxies found (checked 1 istiods)');
  });

  it('output format not supported (1.30+) → flag-rejected', () => {
    assertKind('Error: output format "wide" not supported\n', 'flag-rejected');
  });

  it('unknown shorthand flag -o / -v / -f (exit 64) → flag-rejected with a report request', () => {
    for (const flag of ['o', 'v', 'f']) {
      const error = assertKind(`Error: unknown shorthand flag: '${flag}' in -${flag}\n`, 'flag-rejected', 64);
      assert.match(error.message, /does not support a flag mesh-bot used/);
      assert.match(error.message, /report/);
    }
  });

  it('--x is experimental (1.22-1.24) → flag-rejected', () => {
    assertKind('Error: --xds-via-agents is experimental. Use `istioctl experimental ps --xds-via-agents`\n', 'flag-rejected');
  });

  it('--file can only be used when pod-name is specified (1.20-1.21) → flag-rejected', () => {
    assertKind('Error: --file can only be used when pod-name is specified\n', 'flag-rejected');
  });

  it('could not contact sidecar → no-sidecar', () => {
    assertKind('Error: could not contact sidecar: failure running port forward process: pod not found\n', 'no-sidecar');
  });

  it('unable to find config dump in Istiod responses → no-sidecar', () => {
    assertKind('Error: unable to find config dump in Istiod responses\n', 'no-sidecar');
  });

  it('unexpected status code: 404 (istio/istio#49693) → port-forward', () => {
    assertKind('Error: unexpected status code: 404\n', 'port-forward');
  });

  it('failure running port forward process → port-forward', () => {
    const error = assertKind('Error: failure running port forward process: unable to listen on any of the requested ports: [{15000 15000}]\n', 'port-forward');
    assert.match(error.message, /Port-forwarding to the pod failed/);
  });

  it('a port forward refused by RBAC → forbidden, pointing at the Istio namespace Role', () => {
    const error = assertKind(
      'Error: failure running port forward process: error upgrading connection: pods "istiod-7d4f74889d-mb5dh" is forbidden: User "system:serviceaccount:mesh-bot:mesh-bot" cannot create resource "pods/portforward" in API group "" in the namespace "istio-system"\n',
      'forbidden',
    );
    assert.match(error.message, /to create pods\/portforward \(core API group\) in namespace istio-system/);
    assert.match(error.message, /deploy\/base\/rbac-istio-system\.yaml/);
  });
});

describe('classifyFailure: pod and resource resolution', () => {
  it('does not refer to a pod → pod-not-found', () => {
    const error = assertKind('Error: "serviceaccount/sleep" does not refer to a pod: unsupported resource type\n', 'pod-not-found');
    assert.match(error.message, /serviceaccount\/sleep/);
  });

  it('failed retrieving → pod-not-found naming the namespace', () => {
    const error = assertKind(
      'Error: failed retrieving: deployments.apps "productpage-v1" not found in the "bookinfo" namespace\n',
      'pod-not-found',
    );
    assert.match(error.message, /bookinfo/);
  });

  it('no pods match → pod-not-found', () => {
    const error = assertKind('Error: no pods match "deployment/reviews-v9"\n', 'pod-not-found');
    assert.match(error.message, /deployment\/reviews-v9/);
  });

  it('gateway is not a managed gateway → pod-not-found', () => {
    assertKind('Error: gateway is not a managed gateway\n', 'pod-not-found');
  });

  it('unable to retrieve Pod: pods "x" not found → pod-not-found', () => {
    const error = assertKind('Error: unable to retrieve Pod: pods "invalid" not found\n', 'pod-not-found');
    assert.match(error.message, /invalid/);
  });

  it('context not found → context-not-found naming the context', () => {
    const error = assertKind('Error: context "gke_prod_europe-west1" not found\n', 'context-not-found');
    assert.match(error.message, /gke_prod_europe-west1/);
  });

  it("client-go's context was not found → context-not-found", () => {
    assertKind('Error: context was not found for specified context: staging\n', 'context-not-found');
  });

  it('creating kube client for context → context-not-found', () => {
    const error = assertKind(
      'Error: creating kube client for context "prod-eu": invalid configuration: no configuration has been provided\n',
      'context-not-found',
    );
    assert.match(error.message, /prod-eu/);
  });

  it('getting raw kubeconfig from file → context-not-found', () => {
    const error = assertKind(
      'Error: getting raw kubeconfig from file "/etc/mesh-bot/kubeconfig": open /etc/mesh-bot/kubeconfig: no such file or directory\n',
      'context-not-found',
    );
    assert.match(error.message, /\/etc\/mesh-bot\/kubeconfig/);
  });
});

describe('classifyFailure: proxy-config strings', () => {
  it('failed to execute command on pod.ns sidecar → no-sidecar, even when the cause is a port-forward failure', () => {
    const error = assertKind(
      'Error: failed to execute command on productpage-v1-5fb5d4c744-w5nxx.bookinfo sidecar: failure running port forward process: error forwarding port 15000 to pod abc, uid : exit status 1\n',
      'no-sidecar',
    );
    assert.match(error.message, /productpage-v1-5fb5d4c744-w5nxx\.bookinfo/);
  });

  it('a pod name with a typo → pod-not-found naming the pod and namespace, not "no sidecar"', () => {
    // istioctl's port-forwarder looks the pod up first (pkg/kube/portforwarder.go) and wraps the API's NotFound.
    const error = assertKind(
      'Error: failed to execute command on nosuchpod-7d9f8b6c5-x2x2x.payments sidecar: failure running port forward process: failure running port forward process: building port forwarded: failed retrieving: pods "nosuchpod-7d9f8b6c5-x2x2x" not found in the "payments" namespace\n',
      'pod-not-found',
    );
    assert.equal(error.message, 'Pod nosuchpod-7d9f8b6c5-x2x2x was not found in namespace payments. Check the name with `kubectl get pods -n payments`.');
  });

  it('a pod that exists but is not running → says so with its status', () => {
    const error = assertKind(
      'Error: failed to execute command on reviews-v2-5b667bcbf8-qz8v5.bookinfo sidecar: failure running port forward process: building port forwarded: pod is not running. Status=Pending\n',
      'no-sidecar',
    );
    assert.match(error.message, /^That pod is not running \(status Pending\)/);
  });

  it('failed to execute command on Envoy → no-sidecar', () => {
    assertKind('Error: failed to execute command on Envoy: unexpected status code: 503\n', 'no-sidecar');
  });

  it('output format %q not supported → flag-rejected', () => {
    assertKind('Error: output format "wide" not supported\n', 'flag-rejected');
  });
});

describe('classifyFailure: version strings', () => {
  it('Istio is not present in the cluster: no running Istio pods in namespace (1.23+) → no-control-plane', () => {
    const error = assertKind('Istio is not present in the cluster: no running Istio pods in namespace "istio-system"\n', 'no-control-plane', 0);
    assert.match(error.message, /istio-system/);
    assert.equal(error.detail, 'Istio is not present in the cluster: no running Istio pods in namespace "istio-system"');
  });

  it('a leading-colon partial remote error → classified by its cause', () => {
    const error = assertKind(': error port-forwarding into istio-system.istiod-7d4f74889d-mb5dh: unable to listen on any of the requested ports\n', 'port-forward', 0);
    assert.match(error.detail, /^error port-forwarding/);
  });

  it('no ready Istio pods (1.20-1.22) → no-control-plane', () => {
    const error = assertKind('no ready Istio pods in "istio-system"\n', 'no-control-plane', 0);
    assert.match(error.message, /no ready Istio pods/);
  });

  it('Istio is not present in the cluster with namespace (1.20-1.22) → no-control-plane naming it', () => {
    const error = assertKind('Istio is not present in the cluster with namespace "istio-ops"\n', 'no-control-plane', 0);
    assert.match(error.message, /istio-ops/);
  });

  it("--output must be 'yaml' or 'json' (fixture) → flag-rejected", () => {
    assertKind(corpus('version/bad-output-flag_stderr.txt'), 'flag-rejected');
  });

  it('Could not initialize → failed with a configuration hint', () => {
    const error = assertKind('Could not initialize: failed to read config file: yaml: line 3: mapping values are not allowed\n', 'failed');
    assert.match(error.message, /could not start/);
  });
});

describe('classifyFailure: stderr shapes', () => {
  it('uses the last Error: line after istio log lines', () => {
    const stderr = [
      '2025-11-21T06:11:00.123456789Z\terror\tklog\tan error occurred forwarding 43805 -> 15000: error forwarding port 15000 to pod 1234, uid : exit status 1',
      '2025-11-21T06:11:00.223456789Z\twarn\tkube\twatch error in cluster Kubernetes: failed to list *v1.Pod',
      'Error: no running Istio pods in "istio-system"',
      '',
    ].join('\n');
    const error = assertKind(stderr, 'no-control-plane');
    assert.equal(error.detail, 'no running Istio pods in "istio-system"');
  });

  it('takes the last of several Error: lines', () => {
    const error = assertKind('Error: unexpected status code: 404\nsome context\nError: no pods match "reviews"\n', 'pod-not-found');
    assert.equal(error.detail, 'no pods match "reviews"');
  });

  it('skips istio and raw klog log lines when there is no Error: line', () => {
    const stderr = [
      'no ready Istio pods in "istio-system"',
      '2025-11-21T06:11:00.123456Z\tinfo\tklog\tretrying',
      'E1121 06:11:00.123456   12345 portforward.go:413] an error occurred forwarding 15014 -> 15014',
      '',
    ].join('\n');
    const error = assertKind(stderr, 'no-control-plane', 0);
    assert.equal(error.detail, 'no ready Istio pods in "istio-system"');
  });

  it('reads multi-line stderr with CRLF line ends and surrounding spaces', () => {
    const error = assertKind('Warning: something\r\n  Error: context "dev" not found  \r\n\r\n', 'context-not-found');
    assert.equal(error.detail, 'context "dev" not found');
  });

  it('reports an empty stderr with exit code 1 as failed with the exit code', () => {
    const error = assertKind('', 'failed');
    assert.equal(error.detail, '');
    assert.match(error.message, /exit code 1/);
  });

  it('treats an unrecognized error with exit code 64 as a rejected flag', () => {
    assertKind('Error: unknown command "proxy-stats" for "istioctl"\n', 'flag-rejected', 64);
    assertKind('Error: unknown flag: --verbosity\n', 'flag-rejected', 64);
  });

  it('falls back to failed with the detail in the message', () => {
    const error = assertKind('Error: Get "https://10.0.0.1:443/api?timeout=32s": dial tcp 10.0.0.1:443: i/o timeout\n', 'failed');
    assert.match(error.message, /^istioctl failed: Get/);
  });

  it('caps the detail at 500 characters', () => {
    const error = assertKind(`Error: ${'x'.repeat(2000)}\n`, 'failed');
    assert.equal(error.detail.length, 500);
  });

  it('redacts bearer tokens and token= values from message and detail', () => {
    const stderr =
      'Error: failure running port forward process: Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.payload.sig token=s3cr3t-value xoxb-123-456-abc\n';
    const error = classify(stderr);
    for (const text of [error.detail, error.message]) {
      assert.doesNotMatch(text, /eyJhbGci|s3cr3t-value|xoxb-123/);
    }
    assert.match(error.detail, /Bearer \[REDACTED\]/);
    assert.match(error.detail, /token=\[REDACTED\]/);
    const fallback = classify('Error: exec plugin said token: abc.def.ghi\n');
    assert.doesNotMatch(fallback.message, /abc\.def\.ghi/);
  });
});

describe('constructed errors', () => {
  it('timeoutError says how long and what to do', () => {
    const error = timeoutError(30, '`-n NAMESPACE`');
    assert.equal(error.kind, 'timeout');
    assert.equal(error.exitCode, null);
    assert.match(error.message, /30s/);
    assert.match(error.message, /-n NAMESPACE/);
    assert.match(timeoutError(10).message, /Try again/);
  });

  it('notInstalledError names the path and ISTIOCTL', () => {
    const error = notInstalledError('/usr/local/bin/istioctl');
    assert.equal(error.kind, 'not-installed');
    assert.match(error.message, /\/usr\/local\/bin\/istioctl/);
    assert.match(error.message, /ISTIOCTL/);
  });

  it('outputTooLargeError states the limit in readable units', () => {
    const error = outputTooLargeError(16 * 1024 * 1024);
    assert.equal(error.kind, 'output-too-large');
    assert.match(error.message, /16 MiB/);
    assert.equal(error.detail, 'output exceeded 16777216 bytes');
  });

  it('parseError carries the parse failure', () => {
    const error = parseError({ kind: 'parse', message: 'Unknown xDS state "MAYBE" in column CDS for proxy p.ns.' });
    assert.equal(error.kind, 'parse');
    assert.equal(error.detail, 'Unknown xDS state "MAYBE" in column CDS for proxy p.ns.');
    assert.match(error.message, /MAYBE/);
  });

  it('redacts the tokens credential plugins print without Bearer (EKS, OpenShift, Google)', () => {
    const error = classify(
      'Error: Unauthorized: token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u, sha256~Xk3vQp9rLm2NwB7yTz5aHc8dJf4gKs1 and ya29.a0AfB_byC3xVb8Nq2Lp5Kd9Rt4Wm7Yz1Hs6Jf0Ge rejected\n',
    );
    for (const text of [error.detail, error.message]) assert.doesNotMatch(text, /aHR0cHM6Ly9zdHMu|Xk3vQp9rLm2NwB7y|a0AfB_byC3xVb8Nq/);
    assert.match(error.detail, /Unauthorized: token \[REDACTED\], \[REDACTED\] and \[REDACTED\] rejected/);
  });

  it('redacts the kubeconfig and client spellings of secret fields (bearerToken:, auth_token=, api-key:)', () => {
    const said = redact('invalid configuration: bearerToken: Zm9vYmFyMTIz, auth_token=a1b2c3d4e5 and api-key: "k-9f8e7d6c" are set');
    assert.doesNotMatch(said, /Zm9vYmFyMTIz|a1b2c3d4e5|k-9f8e7d6c/);
    assert.match(said, /bearerToken: \[REDACTED\], auth_token=\[REDACTED\] and api-key: "\[REDACTED\]/);
  });

  it('redact leaves ordinary text alone', () => {
    assert.equal(redact('no pods match "reviews"'), 'no pods match "reviews"');
  });
});

describe('classifyFailure: the Kubernetes API refuses a permission (RBAC 403)', () => {
  const SA = 'system:serviceaccount:mesh-bot:mesh-bot';

  it('cluster scope: names verb, resource, API group and "cluster-wide", the ClusterRole file, and does not say try again', () => {
    const error = assertKind(
      `Error: gateways.gateway.networking.k8s.io is forbidden: User "${SA}" cannot list resource "gateways" in API group "gateway.networking.k8s.io" at the cluster scope\n`,
      'forbidden',
    );
    assert.match(error.message, new RegExp(`^Kubernetes does not allow user ${SA} to list gateways \\(API group gateway\\.networking\\.k8s\\.io\\) cluster-wide`));
    assert.match(error.message, /deploy\/base\/rbac-cluster\.yaml/);
    assert.match(error.message, /Helm chart/);
    assert.doesNotMatch(error.message, /try again/i);
  });

  it('namespace scope, core group, subresource: the port-forward refusal wrapped by proxy-config is about the permission, not the sidecar', () => {
    const error = assertKind(
      'Error: failed to execute command on productpage-v1-7d4f.default sidecar: failure running port forward process: error upgrading connection: pods "productpage-v1-7d4f" is forbidden: User "alice@example.com" cannot create resource "pods/portforward" in API group "" in the namespace "default"\n',
      'forbidden',
    );
    assert.match(error.message, /user alice@example\.com to create pods\/portforward \(core API group\) in namespace default/);
    assert.match(error.message, /rbac-cluster\.yaml/);
  });

  it('in the Istio namespace it points at the Role of that namespace, also behind "failed retrieving … in the namespace"', () => {
    const stderr = `Error: failed retrieving: pods "ztunnel-n5bg2" is forbidden: User "${SA}" cannot get resource "pods" in API group "" in the namespace "istio-prod": RBAC: clusterrole.rbac.authorization.k8s.io "mesh-bot-read" not found in the "istio-prod" namespace\n`;
    const error = classify(stderr, 1, 'istio-prod');
    assert.equal(error.kind, 'forbidden');
    assert.match(error.message, /to get pods \(core API group\) in namespace istio-prod/);
    assert.match(error.message, /deploy\/base\/rbac-istio-system\.yaml/);
  });

  it('Secrets (istioctl analyze): points at the opt-in grant, not the base RBAC that leaves them out on purpose', () => {
    const error = assertKind(`Error: secrets is forbidden: User "${SA}" cannot list resource "secrets" in API group "" in the namespace "istio-system"\n`, 'forbidden');
    assert.match(error.message, /to list secrets \(core API group\) in namespace istio-system/);
    assert.match(error.message, /deploy\/optional\/analyze-secrets\.yaml/);
    assert.doesNotMatch(error.message, /rbac-istio-system/);
  });

  it('a non-resource path (bare "forbidden:" prefix)', () => {
    const error = assertKind('Error: forbidden: User "system:anonymous" cannot get path "/version"\n', 'forbidden');
    assert.match(error.message, /user system:anonymous to get path \/version,/);
  });

  it('echoes neither a token from the request nor more than the user name', () => {
    const error = assertKind(
      `Error: pods is forbidden: User "${SA}" cannot list resource "pods" in API group "" in the namespace "shop" (GET https://10.0.0.1/api/v1/namespaces/shop/pods?access_token=eyJhbGciOiJSUzI1NiJ9.secret)\n`,
      'forbidden',
    );
    assert.doesNotMatch(`${error.message}\n${error.detail}`, /eyJhbGci/);
  });

  it('an admission denial ("is forbidden: exceeded quota") is not taken for a missing permission', () => {
    const error = classify('Error: pods "x" is forbidden: exceeded quota: compute-resources, requested: pods=1\n');
    assert.notEqual(error.kind, 'forbidden');
  });
});
