/**
 * The Cost view's inputs, kept at module level so they survive leaving the view, and a request to open it
 * on a function or a sweep (from the function workspace's Cost tab).
 */
import { DEFAULT_SWEEP_RUNS, DEFAULT_SWEEP_SIZES, periods } from '../../../../shared/api/cost';
import type { Architecture } from '../../../../shared/types';
import { api } from '../../lib/api';
import { appState } from '../../lib/app-state.svelte';

export type Period = (typeof periods)[number];

export const costForm = $state({
  projectId: undefined as number | undefined,
  /** The function whose measured p50 fills in the duration; '' for none. */
  functionId: '',
  requests: 5_000_000 as number | null,
  per: 'month' as Period,
  durationMs: 100 as number | null,
  memoryMb: 128 as number | null,
  arch: 'x86_64' as Architecture,
  region: 'us-east-1',
  freeTier: true,
  ephemeralMb: 512 as number | null,
  /** Environments kept initialized all month; 0 is on demand. */
  provisionedConcurrency: 0 as number | null,
  settingsLoaded: false,
});

export const sweepForm = $state({
  functionId: '',
  event: '{}',
  sizes: [...DEFAULT_SWEEP_SIZES],
  runs: DEFAULT_SWEEP_RUNS as number | null,
  /** The sweep shown, and the one drawn beside it for comparison. */
  openId: undefined as number | undefined,
  compareId: undefined as number | undefined,
  weight: 0.5,
});

/** Opens the Cost view on a function, optionally showing one of its sweeps. */
export function openCost(projectId: number, functionId: string, sweepId?: number): void {
  costForm.projectId = projectId;
  costForm.functionId = functionId;
  sweepForm.functionId = functionId;
  if (sweepId !== undefined) sweepForm.openId = sweepId;
  appState.view = 'cost';
}

/** The user's pricing region and free-tier choice from Settings, once. */
export async function loadPricingDefaults(): Promise<void> {
  if (costForm.settingsLoaded) return;
  costForm.settingsLoaded = true;
  try {
    const { settings } = await api.call('settings:get');
    costForm.region = settings.pricingRegion;
    costForm.freeTier = settings.freeTier;
  } catch {
    // Older engines have no settings: the defaults stand.
  }
}

/** Field → message from a ValidationError, or the whole message under '' for anything else. */
export function fieldErrors(error: unknown): Record<string, string> {
  const e = error as {
    name?: string;
    message?: string;
    details?: { issues?: { path: string; message: string }[] };
  };
  if (e.name === 'ValidationError' && e.details?.issues?.length) {
    const out: Record<string, string> = {};
    for (const issue of e.details.issues) out[issue.path.split('.')[0] ?? ''] ??= issue.message;
    return out;
  }
  return { '': e.message ?? String(error) };
}
