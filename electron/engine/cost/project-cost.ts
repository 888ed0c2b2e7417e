/** Every function of a project priced for the same monthly volume, at its configured memory and measured p50. */
import { sumExact, toNumber } from '../../../shared/pricing';
import type { FunctionInfo, ProjectCost } from '../../../shared/types';
import type { Db } from '../store/database';
import { breakdown } from './projection';
import { functionUsage } from './usage';

export interface ProjectCostInput {
  projectId: number;
  requestsPerMonth: number;
  region: string;
  freeTier: boolean;
}

export function projectCost(db: Db, functions: FunctionInfo[], input: ProjectCostInput): ProjectCost {
  const rows = functions.map((fn) => {
    const usage = functionUsage(db, input.projectId, fn);
    const cost = usage.durationMs === null ? null : priced(fn, usage.durationMs, input);
    return {
      functionId: fn.id,
      memoryMb: fn.memorySize,
      architecture: fn.architecture,
      durationMs: usage.durationMs,
      count: usage.count,
      cost,
    };
  });
  return {
    projectId: input.projectId,
    requestsPerMonth: input.requestsPerMonth,
    functions: rows,
    totalUsd: toNumber(sumExact(rows.map((r) => r.cost?.totalUsd ?? 0))),
  };
}

function priced(fn: FunctionInfo, durationMs: number, input: ProjectCostInput) {
  const usage = {
    durationMs,
    memoryMb: fn.memorySize,
    arch: fn.architecture,
    region: input.region,
    freeTier: input.freeTier,
    ephemeralMb: fn.ephemeralStorage,
  };
  try {
    return breakdown(usage, input.requestsPerMonth);
  } catch (error) {
    // A template can ask for what Lambda refuses (MemorySize: 64); that function has no price, the rest do.
    if (error instanceof RangeError) return null;
    throw error;
  }
}
