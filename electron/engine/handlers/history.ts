import type { historyMethods } from '../../../shared/api/history';
import type { HandlersFor } from '../../../shared/contract';
import type { Services } from '../services';
import { toCsv, toJson } from '../store/history-export';

export function historyHandlers({ history, metrics }: Services): HandlersFor<typeof historyMethods> {
  return {
    'history:list': async (input) => history.list(input),
    'history:get': async ({ invocationId }) => history.get(invocationId),
    'history:metrics': async (input) => metrics.metrics(input),
    'history:functions': async (input) => history.functions(input?.projectId),
    'history:clear': async ({ projectId, functionId }) => ({ deleted: history.clear(projectId, functionId) }),
    'history:export': async ({ format, limit, ...filter }) => {
      const rows = history.exportRows(filter, limit);
      return format === 'csv' ? toCsv(rows) : toJson(rows);
    },
  };
}
