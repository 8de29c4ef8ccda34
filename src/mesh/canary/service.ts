import type { CoreV1Api } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../config.ts';
import type { Istioctl } from '../../istioctl/istioctl.ts';
import type { IstioObjects, KubeCallError } from '../../kube/istio-objects.ts';
import { describeKubeError } from '../../kube/errors.ts';
import { recordName, type StateStore, type Stored } from '../../kube/state-store.ts';
import type { Logger } from '../../log.ts';
import { err, ok, type Result } from '../../result.ts';
import { detectOwner, rolloutRefs, type Owner } from './ownership.ts';
import { planWeights, type CanaryPlan } from './plan.ts';
import {
  TERMINAL_STATES,
  isExpired,
  lockSchema,
  newRequestId,
  promotionRequestSchema,
  weightChange,
  type PlanRecord,
  type Propagation,
  type PromotionRequest,
} from './request.ts';
import { destinationRuleSchema, sameServiceHost, virtualServiceSchema, type DestinationRule, type VirtualService } from './virtual-service.ts';

export interface CanaryDeps {
  readonly cluster: ClusterConfig;
  readonly istio: IstioObjects;
  readonly core: CoreV1Api;
  readonly store: StateStore;
  readonly istioctl: Istioctl;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly ttlMs: number;
  readonly propagation: { readonly timeoutMs: number; readonly intervalMs: number };
}

export interface SubsetInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Running pods the subset's labels select in the namespace; null when pods could not be listed. */
  readonly pods: number | null;
}

/** Everything `canary status` shows and `canary promote` checks before asking anyone. */
export interface CanaryInspection {
  readonly vs: VirtualService;
  readonly apiVersion: string;
  readonly destinationRule: DestinationRule | null;
  readonly subsets: readonly SubsetInfo[];
  readonly owner: Owner | null;
  readonly pending: readonly PromotionRequest[];
  readonly lastApplied: PromotionRequest | null;
  readonly notes: readonly string[];
}

export interface PreparedPromotion {
  readonly inspection: CanaryInspection;
  readonly plan: CanaryPlan;
  /** Preflight results shown on the card (dry run verdict, subset pods). */
  readonly notes: readonly string[];
}

export type Decision = 'approve' | 'reject';

export interface DecisionOutcome {
  readonly request: PromotionRequest;
  /** Changed the VirtualService (approve and the patch went through). */
  readonly applied: boolean;
}

const PROMOTION_LABELS = { 'mesh-bot/kind': 'promotion' } as const;
/** An approval still not applied after this long was interrupted (a replica died mid-apply). */
const INTERRUPTED_AFTER_MS = 5 * 60_000;
/** Decided requests are kept this long (rollback history for `canary status`), then deleted by the sweep. */
const DECIDED_RETENTION_MS = 7 * 24 * 3_600_000;

function fail(message: string): { readonly ok: false; readonly error: string } {
  return err(message);
}

function planRecord(plan: CanaryPlan): PlanRecord {
  return {
    host: plan.host,
    stableSubset: plan.stableSubset,
    canarySubset: plan.canarySubset,
    currentWeight: plan.currentWeight,
    targetWeight: plan.targetWeight,
    resourceVersion: plan.resourceVersion,
    changes: plan.changes.map((change) => ({ index: change.index, name: change.name ?? null, before: [...change.before], after: [...change.after], readRoute: [...change.readRoute] })),
    patch: plan.patch.map((op) => ({ ...op })),
  };
}

export function createCanaryService(deps: CanaryDeps) {
  const { cluster, istio, store, logger } = deps;
  const lockName = (namespace: string, vs: string) => recordName('mesh-bot-lock', cluster.name, namespace, vs);
  const requestName = (id: string) => `mesh-bot-promo-${id}`;

  async function listRequests(namespace: string, vs: string): Promise<PromotionRequest[]> {
    const listed = await store.list('mesh-bot/kind=promotion', promotionRequestSchema);
    if (!listed.ok) return [];
    return listed.value
      .map((record) => record.value)
      .filter((request) => request.cluster === cluster.name && request.namespace === namespace && request.virtualService === vs)
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  /** The pod selector of the Service behind a host (`reviews`, `reviews.shop`, `reviews.shop.svc.cluster.local`). */
  async function selectorOfService(namespace: string, host: string, notes: string[]): Promise<Record<string, string>> {
    const [name = host, hostNamespace] = host.split('.');
    const serviceNamespace = hostNamespace ?? namespace;
    try {
      const service = await deps.core.readNamespacedService({ name, namespace: serviceNamespace });
      return service.spec?.selector ?? {};
    } catch (cause) {
      notes.push(`Service ${serviceNamespace}/${name} unreadable, so pods are counted by subset labels alone: ${describeKubeError(cause, `read Service ${serviceNamespace}/${name}`, cluster.name)}`);
      return {};
    }
  }

  async function subsetsOf(namespace: string, host: string): Promise<{ rule: DestinationRule | null; subsets: SubsetInfo[]; notes: string[] }> {
    const notes: string[] = [];
    const rules = await istio.listDestinationRules(namespace);
    if (!rules.ok) return { rule: null, subsets: [], notes: [`DestinationRules unavailable: ${rules.error.message}`] };
    const rule = rules.value
      .map((item) => destinationRuleSchema.safeParse(item))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
      .find((candidate) => sameServiceHost(candidate.spec.host, host, namespace));
    if (!rule) return { rule: null, subsets: [], notes };
    const serviceSelector = await selectorOfService(namespace, host, notes);
    const subsets: SubsetInfo[] = [];
    for (const subset of rule.spec.subsets ?? []) {
      const labels = subset.labels ?? {};
      // Istio sends a subset's traffic to the Service's endpoints that also carry the subset labels.
      const selector = Object.entries({ ...serviceSelector, ...labels })
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      let pods: number | null = null;
      try {
        const list = await deps.core.listNamespacedPod({ namespace, labelSelector: selector, fieldSelector: 'status.phase=Running' });
        pods = list.items.length;
      } catch (cause) {
        notes.push(`pods of subset ${subset.name} unknown: ${describeKubeError(cause, `list pods in ${namespace}`, cluster.name)}`);
      }
      subsets.push({ name: subset.name, labels, pods });
    }
    return { rule, subsets, notes };
  }

  async function inspect(namespace: string, name: string): Promise<Result<CanaryInspection, string>> {
    const read = await istio.getVirtualService(namespace, name);
    if (!read.ok) {
      return fail(read.error.kind === 'not-found' ? `VirtualService ${namespace}/${name} does not exist in cluster ${cluster.name}. Check \`kubectl -n ${namespace} get virtualservices\`.` : read.error.message);
    }
    const parsed = virtualServiceSchema.safeParse(read.value.object);
    if (!parsed.success) return fail(`VirtualService ${namespace}/${name} has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    const vs = parsed.data;
    const notes: string[] = [];

    const rollouts = await istio.listCustom('argoproj.io', 'v1alpha1', 'rollouts', namespace);
    // 404 means Argo Rollouts is not installed: then nothing can own the VirtualService through it.
    if (!rollouts.ok && rollouts.error.kind !== 'not-found') notes.push(`could not check Argo Rollouts: ${rollouts.error.message}`);
    const owner = detectOwner(vs, rollouts.ok ? rolloutRefs(rollouts.value) : []);

    const host = (vs.spec.http ?? []).flatMap((route) => route.route ?? [])[0]?.destination.host ?? vs.spec.hosts?.[0] ?? name;
    const { rule, subsets, notes: subsetNotes } = await subsetsOf(namespace, host);
    notes.push(...subsetNotes);
    const requests = await listRequests(namespace, name);
    const now = deps.now();
    return ok({
      vs,
      apiVersion: read.value.version,
      destinationRule: rule,
      subsets,
      owner,
      pending: requests.filter((request) => request.state === 'pending' && !isExpired(request, now)),
      lastApplied: [...requests].reverse().find((request) => request.state === 'applied') ?? null,
      notes,
    });
  }

  /** Plan and pre-flight: every check that can refuse happens here, before anyone is asked. */
  async function prepare(namespace: string, name: string, weight: number, subset: string | undefined): Promise<Result<PreparedPromotion, string>> {
    const inspected = await inspect(namespace, name);
    if (!inspected.ok) return inspected;
    const inspection = inspected.value;
    if (inspection.owner) {
      return fail(`${inspection.owner.tool} manages VirtualService ${namespace}/${name} (${inspection.owner.evidence}), so mesh-bot will not patch it. ${inspection.owner.advice}`);
    }
    const remembered = inspection.lastApplied ? { stableSubset: inspection.lastApplied.plan.stableSubset, canarySubset: inspection.lastApplied.plan.canarySubset } : undefined;
    const planned = planWeights(inspection.vs, { weight, canarySubset: subset, remembered });
    if (!planned.ok) return planned;
    const plan = planned.value;

    if (!inspection.destinationRule) return fail(`No DestinationRule in ${namespace} defines subsets for ${plan.host}, so subsets ${plan.stableSubset} and ${plan.canarySubset} route nowhere. Create one first.`);
    for (const wanted of [plan.stableSubset, plan.canarySubset]) {
      const found = inspection.subsets.find((candidate) => candidate.name === wanted);
      if (!found) return fail(`Subset ${wanted} is not defined in DestinationRule ${namespace}/${inspection.destinationRule.metadata.name}. Add it before shifting traffic to it.`);
      const receives = plan.changes.some((change) => change.after.some((destination) => destination.subset === wanted && destination.weight > 0));
      if (found.pods === 0 && receives) return fail(`Subset ${wanted} (${Object.entries(found.labels).map(([key, value]) => `${key}=${value}`).join(', ') || 'no labels'}) selects no running pods in ${namespace}; traffic sent there would fail. Deploy it first.`);
    }

    const dryRun = await istio.patchVirtualService(namespace, name, inspection.apiVersion, plan.patch, { dryRun: true });
    if (!dryRun.ok) return fail(dryRunRefusal(dryRun.error, namespace, name));
    const notes = [
      'Dry run passed (schema and Istio validation).',
      ...(await analyzeNotes(namespace, name, inspection.destinationRule?.metadata.name)),
      ...inspection.subsets.filter((info) => info.name === plan.stableSubset || info.name === plan.canarySubset).map((info) => `Subset ${info.name}: ${info.pods === null ? 'pods unknown' : `${info.pods} running pod${info.pods === 1 ? '' : 's'}`}`),
      ...inspection.notes,
    ];
    return ok({ inspection, plan, notes });
  }

  /**
   * What `istioctl analyze` says about this VirtualService and its DestinationRule, for the approver to weigh;
   * findings inform, they do not block (the dry run already enforced what Istio rejects).
   */
  async function analyzeNotes(namespace: string, vsName: string, ruleName: string | undefined): Promise<string[]> {
    const analyzed = await deps.istioctl.analyze(cluster, { kind: 'namespace', namespace });
    if (!analyzed.ok) return [`istioctl analyze unavailable: ${analyzed.error.message}`];
    const concerning = analyzed.value.value.findings.filter(
      (finding) =>
        finding.resource?.namespace === namespace &&
        ((finding.resource.kind === 'VirtualService' && finding.resource.name === vsName) || (finding.resource.kind === 'DestinationRule' && finding.resource.name === ruleName)),
    );
    if (concerning.length === 0) return ['istioctl analyze: no findings for this VirtualService or its DestinationRule.'];
    return concerning.slice(0, 5).map((finding) => `istioctl analyze ${finding.level} ${finding.code} (${finding.resource?.kind} ${finding.resource?.name}): ${finding.message}`);
  }

  function dryRunRefusal(error: KubeCallError, namespace: string, name: string): string {
    if (error.kind === 'denied') return `Istio's validation refused the change to ${namespace}/${name}: ${error.serverMessage}. Nothing was changed.`;
    if (error.kind === 'test-failed') return `VirtualService ${namespace}/${name} changed while mesh-bot was planning; run the command again.`;
    return `The dry run of the change failed: ${error.message}`;
  }

  /** One promotion at a time per VirtualService: a lock record that names the request holding it. */
  async function acquireLock(namespace: string, name: string, id: string): Promise<Result<Stored<{ requestId: string; since: string }>, string>> {
    const lock = { requestId: id, since: deps.now().toISOString() };
    const created = await store.create(lockName(namespace, name), lock, { 'mesh-bot/kind': 'lock' });
    if (created.ok) return created;
    if (created.error.kind !== 'exists') return fail(created.error.message);
    const current = await store.get(lockName(namespace, name), lockSchema);
    if (!current.ok || !current.value) return fail('Another promotion of this VirtualService is starting right now; try again in a moment.');
    const holder = await store.get(requestName(current.value.value.requestId), promotionRequestSchema);
    const holderRequest = holder.ok ? holder.value?.value : undefined;
    if (holderRequest && !TERMINAL_STATES.includes(holderRequest.state) && !isExpired(holderRequest, deps.now())) {
      return fail(`A promotion of ${namespace}/${name} is already ${holderRequest.state} (request ${holderRequest.id} by <@${holderRequest.requester}>: ${weightChange(holderRequest.plan)}). Let it be decided or expire first.`);
    }
    const taken = await store.replace(current.value, lock);
    return taken.ok ? taken : fail('Another promotion of this VirtualService started at the same moment; try again.');
  }

  async function releaseLock(request: PromotionRequest): Promise<void> {
    const current = await store.get(lockName(request.namespace, request.virtualService), lockSchema);
    if (current.ok && current.value && current.value.value.requestId === request.id) await store.remove(current.value.name, current.value.resourceVersion);
  }

  async function createRequest(prepared: PreparedPromotion, requester: string, requestChannel: string): Promise<Result<PromotionRequest, string>> {
    const id = newRequestId();
    const { vs } = prepared.inspection;
    const namespace = vs.metadata.namespace ?? '';
    const locked = await acquireLock(namespace, vs.metadata.name, id);
    if (!locked.ok) return locked;
    const now = deps.now();
    const request: PromotionRequest = {
      id,
      cluster: cluster.name,
      namespace,
      virtualService: vs.metadata.name,
      apiVersion: prepared.inspection.apiVersion,
      requester,
      requestChannel,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deps.ttlMs).toISOString(),
      state: 'pending',
      card: null,
      decidedBy: null,
      decidedAt: null,
      plan: planRecord(prepared.plan),
      preflight: { notes: [...prepared.notes] },
      outcome: null,
      rolledBack: null,
    };
    const created = await store.create(requestName(id), request, PROMOTION_LABELS);
    if (!created.ok) {
      await store.remove(locked.value.name, locked.value.resourceVersion);
      return fail(created.error.message);
    }
    logger.info({ canary: { event: 'requested', id, cluster: cluster.name, namespace, vs: vs.metadata.name, requester, change: weightChange(request.plan) } }, 'promotion requested');
    return ok(request);
  }

  /** Read-modify-write with compare-and-swap; retried when someone else wrote in between. */
  async function update(id: string, change: (current: PromotionRequest) => PromotionRequest | null): Promise<Result<PromotionRequest, string>> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const read = await store.get(requestName(id), promotionRequestSchema);
      if (!read.ok) return fail(read.error.message);
      if (!read.value) return fail(`Promotion request ${id} no longer exists.`);
      const next = change(read.value.value);
      if (next === null) return ok(read.value.value);
      const written = await store.replace(read.value, next);
      if (written.ok) return ok(next);
      if (written.error.kind !== 'conflict') return fail(written.error.message);
    }
    return fail(`Promotion request ${id} kept changing; try again.`);
  }

  async function get(id: string): Promise<PromotionRequest | null> {
    const read = await store.get(requestName(id), promotionRequestSchema);
    return read.ok ? (read.value?.value ?? null) : null;
  }

  async function recordEvent(request: PromotionRequest, message: string, reason: string): Promise<void> {
    const now = deps.now();
    try {
      await deps.core.createNamespacedEvent({
        namespace: request.namespace,
        body: {
          metadata: { generateName: `${request.virtualService}.`, namespace: request.namespace },
          involvedObject: { apiVersion: `networking.istio.io/${request.apiVersion}`, kind: 'VirtualService', name: request.virtualService, namespace: request.namespace },
          reason,
          message,
          type: 'Normal',
          source: { component: 'mesh-bot' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (cause) {
      logger.warn({ err: cause, request: request.id }, 'could not record a Kubernetes Event');
    }
  }

  /** Polls proxy-status (data read after the write) until no proxy in the namespace is STALE, or the deadline. */
  async function proveSync(namespace: string, since: Date): Promise<Propagation> {
    const started = deps.now().getTime();
    for (;;) {
      const status = await deps.istioctl.proxyStatus(cluster, { notBefore: since });
      const elapsed = (deps.now().getTime() - started) / 1000;
      if (!status.ok) return { total: 0, inSync: 0, stale: [], seconds: Math.round(elapsed), complete: false, error: status.error.message };
      const proxies = status.value.value.proxies.filter((proxy) => proxy.namespace === namespace);
      const stale = proxies.filter((proxy) => Object.values(proxy.states).some((state) => state === 'STALE' || state === 'ERROR')).map((proxy) => proxy.name);
      if (stale.length === 0 || deps.now().getTime() - started >= deps.propagation.timeoutMs) {
        return { total: proxies.length, inSync: proxies.length - stale.length, stale: stale.slice(0, 50), seconds: Math.round(elapsed), complete: stale.length === 0, error: null };
      }
      await deps.sleep(deps.propagation.intervalMs);
      since = deps.now();
    }
  }

  async function apply(request: PromotionRequest, approver: string, onChange: (request: PromotionRequest) => Promise<void>): Promise<PromotionRequest> {
    const patched = await istio.patchVirtualService(request.namespace, request.virtualService, request.apiVersion, request.plan.patch as CanaryPlan['patch'], { dryRun: false });
    if (!patched.ok) {
      const message =
        patched.error.kind === 'test-failed'
          ? `VirtualService ${request.namespace}/${request.virtualService} changed since the request was made, so nothing was written. Check its current weights with \`/mesh canary status ${request.virtualService} -n ${request.namespace}\` and ask again.`
          : patched.error.kind === 'not-found'
            ? `VirtualService ${request.namespace}/${request.virtualService} no longer exists; nothing was written.`
            : `The weight change was not applied: ${patched.error.message}`;
      const failed = await update(request.id, (current) => (current.state === 'approved' ? { ...current, state: 'failed', outcome: { message, appliedAt: null, propagation: null } } : null));
      await releaseLock(request);
      logger.warn({ canary: { event: 'failed', id: request.id, reason: patched.error.kind } }, 'promotion failed');
      return failed.ok ? failed.value : { ...request, state: 'failed', outcome: { message, appliedAt: null, propagation: null } };
    }
    const appliedAt = deps.now();
    const change = weightChange(request.plan);
    await recordEvent(request, `weights ${change} requested by <@${request.requester}>, approved by <@${approver}> via mesh-bot`, 'WeightsChanged');
    logger.info({ canary: { event: 'applied', id: request.id, cluster: cluster.name, namespace: request.namespace, vs: request.virtualService, change, requester: request.requester, approver } }, 'promotion applied');
    const applied = await update(request.id, (current) => (current.state === 'approved' ? { ...current, state: 'applied', outcome: { message: `Weights changed: ${change}.`, appliedAt: appliedAt.toISOString(), propagation: null } } : null));
    await releaseLock(request);
    if (applied.ok) await onChange(applied.value);
    const propagation = await proveSync(request.namespace, appliedAt);
    const withReport = await update(request.id, (current) => (current.outcome ? { ...current, outcome: { ...current.outcome, propagation } } : current));
    if (withReport.ok) return withReport.value;
    return applied.ok ? applied.value : request;
  }

  /**
   * A click on Approve or Reject. The actor's right to decide is checked by the caller (roles); here:
   * existence, expiry, four eyes, and the compare-and-swap that makes the decision happen exactly once.
   */
  async function decide(id: string, actor: string, decision: Decision, onChange: (request: PromotionRequest) => Promise<void> = async () => undefined): Promise<Result<DecisionOutcome, string>> {
    const request = await get(id);
    if (!request) return fail(`Promotion request ${id} is unknown (it may have been cleaned up after it expired).`);
    if (request.state !== 'pending') return fail(alreadyDecided(request));
    const now = deps.now();
    if (isExpired(request, now)) {
      await expire(request);
      return fail(`This promotion request expired at ${request.expiresAt.slice(11, 16)} UTC; nothing was changed. Ask again with \`/mesh canary promote\`.`);
    }
    if (decision === 'approve' && actor === request.requester) return fail('You asked for this promotion, so you cannot approve it: a second person has to.');

    // Decided per attempt: a compare-and-swap retry after a conflict must see the other click's decision.
    let won = false;
    const decided = await update(id, (current) => {
      won = current.state === 'pending';
      return won ? { ...current, state: decision === 'approve' ? 'approved' : 'rejected', decidedBy: actor, decidedAt: now.toISOString() } : null;
    });
    if (!decided.ok) return fail(decided.error);
    if (!won) return fail(alreadyDecided(decided.value));
    if (decision === 'reject') {
      await releaseLock(decided.value);
      logger.info({ canary: { event: 'rejected', id, by: actor } }, 'promotion rejected');
      return ok({ request: decided.value, applied: false });
    }
    await onChange(decided.value);
    const result = await apply(decided.value, actor, onChange);
    return ok({ request: result, applied: result.state === 'applied' });
  }

  function alreadyDecided(request: PromotionRequest): string {
    switch (request.state) {
      case 'approved':
        return `This promotion was already approved by <@${request.decidedBy ?? '?'}> and is being applied.`;
      case 'applied':
        return `This promotion was already approved by <@${request.decidedBy ?? '?'}> and applied.`;
      case 'rejected':
        return `This promotion was already rejected by <@${request.decidedBy ?? '?'}>.`;
      case 'expired':
        return 'This promotion request expired; nothing was changed. Ask again with `/mesh canary promote`.';
      case 'failed':
        return `This promotion was approved by <@${request.decidedBy ?? '?'}> but failed: ${request.outcome?.message ?? 'unknown error'}`;
      default:
        return 'This promotion request is still pending.';
    }
  }

  async function expire(request: PromotionRequest): Promise<PromotionRequest> {
    const expired = await update(request.id, (current) => (current.state === 'pending' ? { ...current, state: 'expired' } : null));
    await releaseLock(request);
    return expired.ok ? expired.value : request;
  }

  /** Canary to 0 %: the safety exit, without a second approval. */
  async function rollback(namespace: string, name: string, actor: string): Promise<Result<{ plan: CanaryPlan; propagation: Propagation }, string>> {
    const inspected = await inspect(namespace, name);
    if (!inspected.ok) return inspected;
    const inspection = inspected.value;
    if (inspection.owner) return fail(`${inspection.owner.tool} manages VirtualService ${namespace}/${name} (${inspection.owner.evidence}), so mesh-bot will not patch it. ${inspection.owner.advice}`);
    const last = inspection.lastApplied;
    const planned = planWeights(inspection.vs, { weight: 0, canarySubset: last?.plan.canarySubset, remembered: last ? { stableSubset: last.plan.stableSubset, canarySubset: last.plan.canarySubset } : undefined });
    if (!planned.ok) return planned;
    const patched = await istio.patchVirtualService(namespace, name, inspection.apiVersion, planned.value.patch, { dryRun: false });
    if (!patched.ok) return fail(patched.error.kind === 'test-failed' ? `VirtualService ${namespace}/${name} changed while rolling back; nothing was written. Run the rollback again.` : `The rollback was not applied: ${patched.error.message}`);
    const appliedAt = deps.now();
    const change = weightChange(planRecord(planned.value));
    const pseudo = { namespace, virtualService: name, apiVersion: inspection.apiVersion } as PromotionRequest;
    await recordEvent(pseudo, `weights ${change} (rollback) by <@${actor}> via mesh-bot`, 'WeightsRolledBack');
    logger.info({ canary: { event: 'rolled-back', cluster: cluster.name, namespace, vs: name, change, by: actor } }, 'canary rolled back');
    const propagation = await proveSync(namespace, appliedAt);
    return ok({ plan: planned.value, propagation });
  }

  /**
   * Marks overdue pending requests expired and settles interrupted approvals, returning both (their cards need
   * updating), and deletes decided requests older than the retention: their story stays in the card, the
   * Events and the audit log.
   */
  async function sweepExpired(): Promise<PromotionRequest[]> {
    const listed = await store.list('mesh-bot/kind=promotion', promotionRequestSchema);
    if (!listed.ok) return [];
    const now = deps.now();
    const expired: PromotionRequest[] = [];
    for (const record of listed.value) {
      const request = record.value;
      if (request.cluster !== cluster.name) continue;
      if (isExpired(request, now)) expired.push(await expire(request));
      else if (request.state === 'approved' && now.getTime() - Date.parse(request.decidedAt ?? request.requestedAt) > INTERRUPTED_AFTER_MS) expired.push(await settleInterrupted(request));
      else if (TERMINAL_STATES.includes(request.state) && now.getTime() - Date.parse(request.requestedAt) > DECIDED_RETENTION_MS) await store.remove(record.name, record.resourceVersion);
    }
    return expired;
  }

  /**
   * An approval whose replica died before it recorded the outcome: the VirtualService itself says whether the
   * patch landed (it is atomic), so the request ends as applied or failed and its lock is freed.
   */
  async function settleInterrupted(request: PromotionRequest): Promise<PromotionRequest> {
    const read = await istio.getVirtualService(request.namespace, request.virtualService);
    const parsed = read.ok ? virtualServiceSchema.safeParse(read.value.object) : null;
    if (!parsed?.success) return request;
    const routes = parsed.data.spec.http ?? [];
    const landed = request.plan.changes.every((change) => change.after.every((destination, position) => (routes[change.index]?.route?.[position]?.weight ?? 0) === destination.weight));
    const settled = await update(request.id, (current) =>
      current.state !== 'approved'
        ? null
        : landed
          ? { ...current, state: 'applied', outcome: { message: `Weights changed: ${weightChange(current.plan)} (confirmed after mesh-bot restarted while applying).`, appliedAt: current.decidedAt, propagation: null } }
          : { ...current, state: 'failed', outcome: { message: 'mesh-bot stopped before the change was written; nothing was changed. Ask again with `/mesh canary promote`.', appliedAt: null, propagation: null } },
    );
    await releaseLock(request);
    logger.warn({ canary: { event: 'settled-after-interruption', id: request.id, landed } }, 'settled an interrupted promotion');
    return settled.ok ? settled.value : request;
  }

  async function markRolledBack(id: string, actor: string, message: string): Promise<PromotionRequest | null> {
    const updated = await update(id, (current) => ({ ...current, rolledBack: { by: actor, at: deps.now().toISOString(), message } }));
    return updated.ok ? updated.value : null;
  }

  async function attachCard(id: string, card: { channel: string; ts: string }): Promise<Result<PromotionRequest, string>> {
    return update(id, (current) => ({ ...current, card }));
  }

  return { inspect, prepare, createRequest, attachCard, decide, rollback, sweepExpired, get, markRolledBack };
}

export type CanaryService = ReturnType<typeof createCanaryService>;
