/**
 * SAM's DeploymentPreference on a local clock: after AutoPublishAlias publishes a new version, CodeDeploy would
 * shift the alias's traffic to it in steps. Here the alias's weights are a function of the time since the
 * deployment began, worked out whenever the alias is read, so nothing is lost when Lambench restarts.
 */

/** A shift in progress, stored with the alias: the alias's own version keeps the rest of the traffic. */
export interface Deployment {
  /** The SAM deployment type, e.g. Canary10Percent5Minutes or Linear10PercentEvery1Minute. */
  type: string;
  /** The new version the traffic moves to. */
  toVersion: string;
  startedAt: number;
}

interface Plan {
  kind: 'canary' | 'linear';
  /** Share of each step, 0–1. */
  step: number;
  intervalMs: number;
}

const PATTERN = /^(Canary|Linear)(\d+)Percent(?:Every)?(\d+)Minutes?$/;

/** The plan of a deployment type; undefined for AllAtOnce (and anything SAM would not accept). */
export function deploymentPlan(type: string): Plan | undefined {
  const m = PATTERN.exec(type);
  if (!m) return undefined;
  const step = Number(m[2]) / 100;
  if (step <= 0 || step >= 1) return undefined;
  return { kind: m[1] === 'Canary' ? 'canary' : 'linear', step, intervalMs: Number(m[3]) * 60_000 };
}

/** The new version's share at `now`, or undefined once the shift is complete. */
export function deploymentWeight(d: Deployment, now: number): number | undefined {
  const plan = deploymentPlan(d.type);
  if (!plan) return undefined;
  const steps = Math.floor(Math.max(0, now - d.startedAt) / plan.intervalMs);
  if (plan.kind === 'canary') return steps >= 1 ? undefined : plan.step;
  const weight = Math.round((steps + 1) * plan.step * 1000) / 1000;
  return weight >= 1 ? undefined : weight;
}

/** When the shift completes (the alias then points at the new version alone). */
export function deploymentEnd(d: Deployment): number | undefined {
  const plan = deploymentPlan(d.type);
  if (!plan) return undefined;
  return plan.kind === 'canary'
    ? d.startedAt + plan.intervalMs
    : d.startedAt + Math.ceil(1 / plan.step - 1) * plan.intervalMs;
}
