import type { AppStatus, DockerStatus, FunctionInfo, Project } from '../../../shared/types';
import { api, onConnection } from './api';
import { toastError } from './toasts.svelte';
import { loadSettings } from '../components/settings/settings-state.svelte';

export type View = 'projects' | 'history' | 'dead-letters' | 'cost' | 'settings';

/** What the Projects view shows: a project's overview, or one of its functions in the workspace. */
export interface Selection {
  projectId: number;
  functionId?: string;
}

/** The shell's live state: what the status bar, banner, sidebar and workspace show. */
export const appState = $state({
  view: 'projects' as View,
  status: undefined as AppStatus | undefined,
  docker: { state: 'checking', endpoint: '', checkedAt: 0 } as DockerStatus,
  /** False while the UI has lost the engine (web mode, server gone). */
  connected: true,
  projects: [] as Project[],
  error: '' as string,
  selection: undefined as Selection | undefined,
  /** Each project's functions, by project id; a project whose template fails to load has an entry in `functionErrors`. */
  functions: {} as Record<number, FunctionInfo[]>,
  functionErrors: {} as Record<number, string>,
  /** The project dialog open over everything, wherever it was asked for. */
  dialog: undefined as 'new-project' | 'open-folder' | undefined,
});

export async function loadShell(): Promise<void> {
  try {
    const [status, docker, projects] = await Promise.all([
      api.call('app:status'),
      api.call('docker:status'),
      api.call('projects:list'),
      // Applies the saved theme as soon as the UI loads.
      loadSettings(),
    ]);
    Object.assign(appState, { status, docker, projects, error: '' });
    await Promise.all(projects.map((p) => loadFunctions(p.id)));
  } catch (error) {
    appState.error = (error as Error).message;
    toastError('Loading Lambench', error);
  }
}

export async function refreshProjects(): Promise<void> {
  appState.projects = await api.call('projects:list');
  if (appState.selection && !projectById(appState.selection.projectId)) appState.selection = undefined;
  await Promise.all(
    appState.projects.filter((p) => !(p.id in appState.functions)).map((p) => loadFunctions(p.id)),
  );
}

/** Loads (or reloads) one project's function list; a broken template is kept as an error, not thrown. */
export async function loadFunctions(projectId: number): Promise<void> {
  // A missing folder has no template to read: the tree marks the project instead.
  if (projectById(projectId)?.missing) {
    appState.functions[projectId] = [];
    delete appState.functionErrors[projectId];
    return;
  }
  try {
    appState.functions[projectId] = await api.call('projects:functions', { projectId });
    delete appState.functionErrors[projectId];
  } catch (error) {
    appState.functions[projectId] = [];
    appState.functionErrors[projectId] = (error as Error).message;
  }
}

export function select(selection: Selection | undefined): void {
  appState.view = 'projects';
  appState.selection = selection;
}

export function projectById(id: number | undefined): Project | undefined {
  return appState.projects.find((p) => p.id === id);
}

export function functionById(projectId: number, functionId: string): FunctionInfo | undefined {
  return appState.functions[projectId]?.find((f) => f.id === functionId);
}

api.on('docker:status', (docker) => (appState.docker = docker));
// The folder may be gone (the watcher can report its removal as a template change): refresh the row first.
api.on('project:changed', ({ projectId }) => {
  refreshProjects()
    .then(() => loadFunctions(projectId))
    .catch((e) => toastError('Reloading the project', e));
});
onConnection?.((connected) => {
  appState.connected = connected;
  if (connected) void loadShell();
});
