/**
 * A function's versions and aliases, shared by the Versions tab and the Invoke tab's qualifier picker:
 * loaded once per function, reloaded after every change made here.
 */
import type { FunctionVersions } from '../../../../shared/api/versions';
import { api } from '../../lib/api';

export class VersionsState {
  data = $state.raw<FunctionVersions | undefined>();
  error = $state('');
  loading = $state(false);

  constructor(
    readonly projectId: number,
    readonly functionId: string,
  ) {}

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.data = await api.call('versions:list', { projectId: this.projectId, functionId: this.functionId });
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.loading = false;
    }
  }
}

/** One state per function, outside reactivity: the states themselves are what components watch. */
const states: Record<string, VersionsState> = {};

export function versionsFor(projectId: number, functionId: string): VersionsState {
  return (states[`${projectId}:${functionId}`] ??= new VersionsState(projectId, functionId));
}

// Another window, the CLI or AutoPublishAlias changed them: every open view follows.
api.on('versions:changed', ({ projectId, functionId }) => {
  const state = states[`${projectId}:${functionId}`];
  if (state?.data) void state.load();
});
