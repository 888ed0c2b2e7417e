import type { Settings, SettingsState, settingsMethods } from '../../../shared/api/settings';
import type { HandlersFor } from '../../../shared/contract';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { DockerPing, PullOutcome, RuntimeImage, WarmEnvironments } from '../../../shared/types';
import { createDockerClient, ensureImage, imageExists, ping, resolveEndpoint } from '../docker';
import { defaultImages, imageMap } from '../runtime/image-map';
import type { Services } from '../services';

/** A remote engine over ssh needs longer than the status bar's quick ping. */
const TEST_TIMEOUT_MS = 5000;

export function settingsHandlers(s: Services): HandlersFor<typeof settingsMethods> {
  const pulls = new Map<string, Promise<PullOutcome>>();
  return {
    'settings:get': async () => settingsState(s, s.settings.get()),
    'settings:update': async ({ partial }) => {
      const settings = s.settings.update(partial);
      applySettings(s, settings);
      if (partial.httpApiPort !== undefined) await s.triggers.changeHttpPort(settings.httpApiPort);
      await s.invokeApi.applySettings(settings);
      return settingsState(s, settings);
    },
    'docker:test': ({ endpoint }) => testEndpoint(endpoint),
    'images:list': () => listImages(s),
    'images:pull': ({ image }) => {
      // Two clicks (or two windows) pulling the same image share one pull.
      let pull = pulls.get(image);
      if (!pull) {
        pull = pullImage(s, image).finally(() => pulls.delete(image));
        pulls.set(image, pull);
      }
      return pull;
    },
    'environments:list': async () => warmEnvironments(s),
    'environments:stopAll': async () => ({ stopped: await s.pool.stopAll() }),
  };
}

/**
 * Applies what can change while environments run: keep-alive and the concurrency limit (read by the pool
 * on every reap and acquire) and the image map (read by every invoke). The Docker endpoint and CPU scaling
 * are wired into the Docker client and executor at start-up, so they wait for a restart.
 */
export function applySettings(s: Pick<Services, 'pool' | 'images'>, settings: Settings): void {
  s.pool.settings.keepAliveMs = settings.keepAliveSeconds * 1000;
  s.pool.settings.globalLimit = settings.concurrencyLimit;
  // Mutated in place: the invocation handler holds this very object.
  const next = imageMap(settings.images);
  for (const runtime of Object.keys(s.images)) if (!(runtime in next)) delete s.images[runtime];
  Object.assign(s.images, next);
}

function settingsState(s: Services, settings: Settings): SettingsState {
  const pendingRestart = (['dockerEndpoint', 'cpuScaling'] as const).filter(
    (key) => settings[key] !== s.startupSettings[key],
  );
  return { settings, pendingRestart };
}

async function testEndpoint(endpoint: string | undefined): Promise<DockerPing> {
  let resolved = endpoint || resolveEndpoint();
  try {
    const client = createDockerClient({ host: endpoint || undefined });
    resolved = client.endpoint;
    return { endpoint: resolved, ...(await ping(client, TEST_TIMEOUT_MS)) };
  } catch (error) {
    return {
      ok: false,
      endpoint: resolved,
      error: (error as Error).message,
      hint: 'Check the endpoint: unix:///var/run/docker.sock, tcp://host:2376 (TLS from DOCKER_CERT_PATH) or ssh://user@host.',
    };
  }
}

async function listImages(s: Services): Promise<RuntimeImage[]> {
  const overrides = s.settings.get().images;
  const status = await (s.dockerMonitor.status.state === 'connected'
    ? s.dockerMonitor.status
    : s.dockerMonitor.check());
  const presence = new Map<string, Promise<boolean | undefined>>();
  const present = (image: string) => {
    if (status.state !== 'connected') return Promise.resolve(undefined);
    let known = presence.get(image);
    if (!known) {
      known = imageExists(s.docker.docker, image).catch(() => undefined);
      presence.set(image, known);
    }
    return known;
  };
  const bases = imageMap();
  const runtimes = Object.keys(s.images).sort(byRuntime);
  return Promise.all(
    runtimes.map(async (runtime): Promise<RuntimeImage> => {
      const image = s.images[runtime];
      const base = bases[runtime] ?? image;
      const source = Object.hasOwn(overrides, runtime)
        ? 'settings'
        : base === defaultImages[runtime]
          ? 'default'
          : 'env';
      return { runtime, image, base, source, present: await present(image) };
    }),
  );
}

/** nodejs18.x before nodejs22.x, python3.9 before python3.12. */
function byRuntime(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function pullImage(s: Services, image: string): Promise<PullOutcome> {
  const status = await s.dockerMonitor.check();
  if (status.state !== 'connected') {
    throw new WorkbenchError(
      'DockerUnavailable',
      `Cannot pull ${image}: Docker is not reachable at ${status.endpoint}. ${status.hint ?? ''}`.trim(),
      { image, endpoint: status.endpoint },
    );
  }
  const result = await ensureImage(s.docker.docker, image, (p) => s.events.emit('image:pull', p));
  return { image, result };
}

function warmEnvironments(s: Services): WarmEnvironments {
  const functions = Object.entries(s.pool.warmCounts()).map(([key, count]) => {
    const slash = key.indexOf('/');
    const projectId = Number(key.slice(0, slash));
    const functionId = key.slice(slash + 1);
    let projectName: string | undefined;
    try {
      projectName = s.catalog.get(projectId).name;
    } catch {
      // The project was removed while its environments were still warm.
    }
    return { key, projectId, functionId, projectName, count };
  });
  functions.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return { total: functions.reduce((n, f) => n + f.count, 0), functions };
}
