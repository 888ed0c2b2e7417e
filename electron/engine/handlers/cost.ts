import type { costMethods } from '../../../shared/api/cost';
import type { HandlersFor } from '../../../shared/contract';
import { perMonth } from '../../../shared/pricing';
import { projectCost } from '../cost/project-cost';
import { monthlyProjection } from '../cost/projection';
import { functionUsage } from '../cost/usage';
import type { Services } from '../services';

export function costHandlers(s: Services): HandlersFor<typeof costMethods> {
  return {
    'cost:monthly': async (input) => monthlyProjection(input),
    'cost:function': async ({ projectId, functionId }) => {
      s.catalog.get(projectId);
      const { fn } = await s.catalog.function(projectId, functionId);
      s.records.flush(); // the history must include invocations that just finished
      return functionUsage(s.db, projectId, fn);
    },
    'cost:project': async ({ projectId, requests, per, region, freeTier }) => {
      const functions = await s.catalog.functions(projectId);
      s.records.flush();
      const requestsPerMonth = Math.round(perMonth(requests, per));
      return projectCost(s.db, functions, { projectId, requestsPerMonth, region, freeTier });
    },
    'cost:sweep:start': async (input) => ({ sweepId: await s.sweeps.start(s, input) }),
    'cost:sweep:get': async ({ sweepId, weight, region }) => s.sweeps.get(sweepId, weight, region),
    'cost:sweep:list': async ({ projectId, functionId }) => s.sweeps.list(projectId, functionId),
    'cost:sweep:cancel': ({ sweepId }) => s.sweeps.cancel(sweepId),
  };
}
