/** Building a runtime's local image when no registry answers (see shared/local-runtime-images.ts). */
import { z } from 'zod';
import type { LocalImageOutcome } from '../types';
import { method } from './method';
import { runtimeName } from './settings';

export const localImageMethods = {
  /**
   * Builds the local equivalent of a runtime's image from this machine's binaries, with `image:pull` events
   * of kind 'build', then points that runtime at it in Settings' image map.
   */
  'images:buildLocal': method<LocalImageOutcome>().input(z.object({ runtime: runtimeName }).strict()),
};
