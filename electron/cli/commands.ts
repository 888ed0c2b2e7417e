import type { Command } from './run';
import { invoke } from './invoke';
import { serve } from './serve';

export const commands: Record<string, Command> = {
  invoke,
  serve,
};
