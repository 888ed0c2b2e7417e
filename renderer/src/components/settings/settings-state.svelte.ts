/**
 * The saved settings, loaded once and kept here (not in the Settings page) so the theme applies at start-up
 * and cost views can read the pricing region without loading them again.
 */
import {
  defaultSettings,
  settingsSchema,
  type SettingKey,
  type Settings,
  type SettingsPatch,
  type SettingsState,
} from '../../../../shared/api/settings';
import { api } from '../../lib/api';

export const settingsState = $state({
  settings: { ...defaultSettings } as Settings,
  pendingRestart: [] as SettingKey[],
  loaded: false,
  error: '',
});

export async function loadSettings(): Promise<void> {
  try {
    take(await api.call('settings:get'));
    settingsState.error = '';
  } catch (error) {
    settingsState.error = (error as Error).message;
  }
}

/** Saves a patch; the engine validates it again and applies it. Throws the engine's error. */
export async function saveSettings(partial: SettingsPatch): Promise<void> {
  take(await api.call('settings:update', { partial }));
}

/** The message of the first rule `value` breaks for `key`, or '' when it is valid. */
export function fieldError<K extends SettingKey>(key: K, value: unknown): string {
  const result = settingsSchema.shape[key].safeParse(value);
  return result.success ? '' : (result.error.issues[0]?.message ?? 'Invalid value');
}

/** 'system' follows the OS (styles.css: color-scheme light dark); light and dark pin the color-scheme. */
export function applyTheme(theme: Settings['theme']): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

function take(state: SettingsState): void {
  settingsState.settings = state.settings;
  settingsState.pendingRestart = state.pendingRestart;
  settingsState.loaded = true;
  applyTheme(state.settings.theme);
}
