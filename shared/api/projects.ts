import { z } from 'zod';
import type { Blueprint, FunctionInfo, Project } from '../types';
import { absolutePath, method, none, projectId } from './method';

export const projectMethods = {
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
  'projects:functions': method<FunctionInfo[]>().input(z.object({ projectId }).strict()),
  'blueprints:list': method<Blueprint[]>().input(none),
};
