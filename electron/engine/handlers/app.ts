import type { appMethods } from '../../../shared/api/app';
import type { HandlersFor } from '../../../shared/contract';
import { version } from '../../cli/version';
import type { Services } from '../services';

export function appHandlers(s: Services): HandlersFor<typeof appMethods> {
  return {
    'app:status': async () => ({
      version,
      home: s.home,
      executor: s.executorKind,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      ...(s.storeWarning() ? { storeWarning: s.storeWarning() } : {}),
    }),
    'docker:status': () =>
      s.dockerMonitor.status.state === 'checking'
        ? s.dockerMonitor.check()
        : Promise.resolve(s.dockerMonitor.status),
  };
}
