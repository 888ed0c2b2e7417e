import type { SettingsPatch } from '../../../../shared/api/settings';
import { saveSettings } from './settings-state.svelte';

/** One field's save: 'saving', then 'saved' for a moment; the engine's refusal becomes `error`. */
export function createSaver() {
  const state = $state({ saved: 'idle' as 'idle' | 'saving' | 'saved', error: '' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    state,
    async save(partial: SettingsPatch): Promise<boolean> {
      clearTimeout(timer);
      state.saved = 'saving';
      state.error = '';
      try {
        await saveSettings(partial);
        state.saved = 'saved';
        timer = setTimeout(() => (state.saved = 'idle'), 2000);
        return true;
      } catch (error) {
        state.saved = 'idle';
        state.error = (error as Error).message;
        return false;
      }
    },
  };
}
