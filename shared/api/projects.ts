import { z } from 'zod';
import type { Blueprint, FunctionInfo, Project } from '../types';
import { absolutePath, functionId, method, none, projectId } from './method';

const projectName = z.string().trim().min(1).max(200);

export const projectMethods = {
  /** Most recently opened first; a project whose folder is gone is listed with `missing: true`. */
  'projects:list': method<Project[]>().input(none),
  'projects:open': method<Project>().input(z.object({ path: absolutePath }).strict()),
  'projects:create': method<Project>().input(
    z
      .object({
        blueprint: z.string().min(1).max(100),
        path: absolutePath,
        name: z.string().min(1).max(200).optional(),
      })
      .strict(),
  ),
  'projects:rename': method<Project>().input(z.object({ projectId, name: projectName }).strict()),
  /** Removes the project from the list and returns it; its folder and files are never touched. */
  'projects:remove': method<Project>().input(z.object({ projectId }).strict()),
  'projects:functions': method<FunctionInfo[]>().input(z.object({ projectId }).strict()),
  /** Writes the change into template.yaml (comments kept) and returns the function as reloaded. */
  'functions:updateConfig': method<FunctionInfo>().input(
    z
      .object({
        projectId,
        functionId,
        patch: z
          .object({
            memorySize: z.number().optional(),
            timeout: z.number().optional(),
            environment: z.record(z.string(), z.string()).optional(),
            architecture: z.enum(['x86_64', 'arm64']).optional(),
            ephemeralStorage: z.number().optional(),
            /** null lifts the reservation. */
            reservedConcurrency: z.number().nullable().optional(),
          })
          .strict(),
      })
      .strict(),
  ),
  'blueprints:list': method<Blueprint[]>().input(none),
};
