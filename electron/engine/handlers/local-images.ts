import type { localImageMethods } from '../../../shared/api/local-images';
import type { HandlersFor } from '../../../shared/contract';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Services } from '../services';
import { applySettings } from './settings';

export function localImageHandlers(s: Services): HandlersFor<typeof localImageMethods> {
  return {
    'images:buildLocal': async ({ runtime }) => {
      const status = await s.dockerMonitor.check();
      if (status.state !== 'connected') {
        throw new WorkbenchError(
          'DockerUnavailable',
          `Cannot build the ${runtime} image: Docker is not reachable at ${status.endpoint}. ${status.hint ?? ''}`.trim(),
          { runtime, endpoint: status.endpoint },
        );
      }
      const result = await s.localImages.buildFor(runtime);
      // From now on this runtime runs on the local image; Settings shows it as the user's override.
      const settings = s.settings.update({ images: { ...s.settings.get().images, [runtime]: result.image } });
      applySettings(s, settings);
      return {
        runtime,
        image: result.image,
        built: result.built,
        sizeBytes: result.size,
        durationMs: result.ms,
      };
    },
  };
}
