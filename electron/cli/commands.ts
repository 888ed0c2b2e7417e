import type { Command } from './run';
import { serve } from './serve';

export const commands: Record<string, Command> = {
  serve,
};
