import {
  defaultSettings,
  settingKeys,
  settingsPatch,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../../shared/api/settings';
import { WorkbenchError } from '../../../shared/rpc/errors';
import type { Db } from './database';

interface SettingRow {
  key: string;
  value: string;
}

/**
 * Settings as one JSON value per key in the `settings` table. A missing key means its default, so a
 * newer Lambench adds settings without a migration; a stored value that no longer validates (written by
 * another version, or edited by hand) reads as the default but is kept until the user saves that key.
 */
export class SettingsRepo {
  private readonly all;
  private readonly upsert;

  constructor(private readonly db: Db) {
    this.all = db.prepare<[], SettingRow>('SELECT key, value FROM settings');
    this.upsert = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  get(): Settings {
    const settings: Record<string, unknown> = { ...defaultSettings, images: { ...defaultSettings.images } };
    const shape = settingsSchema.shape;
    for (const row of this.all.all()) {
      if (!Object.hasOwn(shape, row.key)) continue;
      const parsed = shape[row.key as keyof typeof shape].safeParse(parseJson(row.value));
      if (parsed.success) settings[row.key] = parsed.data;
    }
    return settings as Settings;
  }

  /** Validates the whole patch first, then writes it in one transaction: bad input changes nothing. */
  update(patch: SettingsPatch): Settings {
    const parsed = settingsPatch.safeParse(patch);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new WorkbenchError(
        'InvalidSettings',
        `Settings not saved: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
        { issues },
      );
    }
    this.db.transaction(() => {
      for (const key of settingKeys) {
        const value = parsed.data[key];
        if (value !== undefined) this.upsert.run(key, JSON.stringify(value));
      }
    })();
    return this.get();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
