/** Opening a project's files on the machine the engine runs on (in web mode: the host, not the browser's). */
import { z } from 'zod';
import type { OpenedOnHost } from '../types';
import { functionId, method, projectId } from './method';

export const hostOpenMethods = {
  /** The function's handler file (else the project folder) in $VISUAL, $EDITOR, `code`, or the OS default. */
  'projects:openInEditor': method<OpenedOnHost>().input(
    z.object({ projectId, functionId: functionId.optional() }).strict(),
  ),
  /** The project folder in the file manager. */
  'projects:openFolder': method<OpenedOnHost>().input(z.object({ projectId }).strict()),
};
