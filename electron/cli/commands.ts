import type { Command } from './run';
import { cost } from './cost';
import { events } from './events';
import { functions } from './functions';
import { history } from './history';
import { images } from './images';
import { init } from './init';
import { invoke } from './invoke';
import { serve } from './serve';
import { tune } from './tune';

export const commands: Record<string, Command> = {
  init,
  functions,
  events,
  invoke,
  history,
  serve,
  cost,
  tune,
  images,
};
