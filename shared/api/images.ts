import { z } from 'zod';
import type { FunctionImageStatus } from '../types';
import { functionId, method, projectId } from './method';

const fn = z.object({ projectId, functionId }).strict();

/** Container-image functions (PackageType: Image): their image and its build. */
export const imageMethods = {
  /** The image invokes would run and whether it is built; builds nothing. NotAnImageFunction for a zip function. */
  'functions:image': method<FunctionImageStatus>().input(fn),
  /**
   * Builds the function's image again (even when its context is unchanged), with `image:pull` progress of
   * kind 'build'. Fails with ImageBuildFailed, Docker's log tail in `details.log`.
   */
  'functions:buildImage': method<FunctionImageStatus>().input(fn),
};
