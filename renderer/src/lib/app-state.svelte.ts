import type { AppStatus, DockerStatus, Project } from '../../../shared/types';
import { api, onConnection } from './api';

export type View = 'projects' | 'history' | 'cost' | 'settings';

/** The shell's live state: what the status bar, banner and sidebar show. */
export const appState = $state({
  view: 'projects' as View,
  status: undefined as AppStatus | undefined,
  docker: { state: 'checking', endpoint: '', checkedAt: 0 } as DockerStatus,
  /** False while the UI has lost the engine (web mode, server gone). */
  connected: true,
  projects: [] as Project[],
  error: '' as string,
});

export async function loadShell(): Promise<void> {
  try {
    const [status, docker, projects] = await Promise.all([
      api.call('app:status'),
      api.call('docker:status'),
      api.call('projects:list'),
    ]);
    Object.assign(appState, { status, docker, projects, error: '' });
  } catch (error) {
    appState.error = (error as Error).message;
  }
}

api.on('docker:status', (docker) => (appState.docker = docker));
onConnection?.((connected) => {
  appState.connected = connected;
  if (connected) void loadShell();
});
