import type { EnvironmentChange } from '../../shared/types';
import type { EventBus } from './event-bus';
import type { EnvironmentSpec, Executor } from './runtime/executor';

/**
 * Wraps an executor so every environment's start, failed start and exit is pushed as
 * `environment:changed`: the Docker task panel shows starts, the status bar recounts warm environments.
 * Spares (runtime/spares.ts) stay out of it until taken: they serve nobody while they wait.
 */
export function withEnvironmentEvents(executor: Executor, events: EventBus): Executor {
  return {
    get kind() {
      return executor.kind;
    },
    runtimeApiHost: () => executor.runtimeApiHost(),
    runtimeApiSocketDir: () => executor.runtimeApiSocketDir?.(),
    canHoldInit: (spec) => executor.canHoldInit?.(spec) ?? false,
    reapOrphans: () => executor.reapOrphans(),
    async start(spec) {
      const emit = (state: EnvironmentChange['state'], error?: string) =>
        events.emit('environment:changed', { ...describe(spec), state, error, at: Date.now() });
      // A spare is not an environment of the function until a cold start takes it (taken, below).
      const spare = spec.holdInit === true;
      if (!spare) emit('starting');
      try {
        const running = await executor.start(spec);
        if (!spare) emit('started');
        void running.exited.then(() => emit('stopped'));
        return running;
      } catch (error) {
        if (!spare) emit('failed', (error as Error).message);
        throw error;
      }
    },
    taken(spec) {
      events.emit('environment:changed', { ...describe(spec), state: 'started', at: Date.now() });
    },
  };
}

function describe(spec: EnvironmentSpec): Omit<EnvironmentChange, 'state' | 'error' | 'at'> {
  const projectId = Number(spec.labels['lambench.project']);
  return {
    environmentId: spec.id,
    projectId: Number.isInteger(projectId) && projectId > 0 ? projectId : undefined,
    functionId: spec.labels['lambench.function'],
    functionName: spec.functionName,
    image: spec.image,
  };
}
