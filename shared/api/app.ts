import type { AppStatus, DockerStatus } from '../types';
import { method, none } from './method';

export const appMethods = {
  'app:status': method<AppStatus>().input(none),
  'docker:status': method<DockerStatus>().input(none),
};
