import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, settingsPatch } from '../../shared/api/settings';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { SettingsRepo } from '../../electron/engine/store/settings-repo';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambench-settings-'));
  db = openDatabase(join(dir, 'lambench.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const errorOf = (fn: () => unknown): Error & { details?: { issues: { path: string }[] } } => {
  try {
    fn();
  } catch (error) {
    return error as Error & { details?: { issues: { path: string }[] } };
  }
  throw new Error('expected an error');
};

describe('SettingsRepo', () => {
  it('reads the defaults from an empty table', () => {
    expect(new SettingsRepo(db).get()).toEqual({
      dockerEndpoint: '',
      images: {},
      keepAliveSeconds: 600,
      concurrencyLimit: 20,
      cpuScaling: true,
      retentionDays: 90,
      retentionRows: 100_000,
      pricingRegion: 'us-east-1',
      freeTier: true,
      theme: 'system',
      httpApiPort: 3000,
      invokeApiEnabled: true,
      invokeApiPort: 3001,
      invokeApiAccessKeyId: '',
      provisionedConcurrency: {},
    });
  });

  it('saves a patch, keeps the other settings, and reads it back after reopening the file', () => {
    const saved = new SettingsRepo(db).update({
      keepAliveSeconds: 42,
      theme: 'dark',
      images: { 'nodejs22.x': 'registry.local:5000/lambda/node:22' },
      dockerEndpoint: ' tcp://10.0.0.5:2376 ',
    });
    expect(saved).toMatchObject({ keepAliveSeconds: 42, theme: 'dark', concurrencyLimit: 20 });
    expect(saved.dockerEndpoint).toBe('tcp://10.0.0.5:2376');
    db.close();
    db = openDatabase(join(dir, 'lambench.db'));
    expect(new SettingsRepo(db).get()).toEqual({
      ...defaultSettings,
      keepAliveSeconds: 42,
      theme: 'dark',
      images: { 'nodejs22.x': 'registry.local:5000/lambda/node:22' },
      dockerEndpoint: 'tcp://10.0.0.5:2376',
    });
    expect(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('keepAliveSeconds')).toBe('42');
  });

  it('rejects a patch with any bad field as a whole, naming each field, and saves nothing', () => {
    const repo = new SettingsRepo(db);
    const error = errorOf(() =>
      repo.update({ theme: 'dark', concurrencyLimit: 0, pricingRegion: 'mars-north-1' } as never),
    );
    expect(error.name).toBe('InvalidSettings');
    expect(error.message).toContain('concurrencyLimit: At least 1');
    expect(error.message).toContain('pricingRegion: One of us-east-1');
    expect(error.details?.issues.map((i) => i.path)).toEqual(['concurrencyLimit', 'pricingRegion']);
    expect(repo.get()).toEqual(defaultSettings);
    expect(db.prepare('SELECT COUNT(*) FROM settings').pluck().get()).toBe(0);
  });

  it('rejects unknown keys, fractional numbers and bad endpoints and image names', () => {
    const repo = new SettingsRepo(db);
    expect(errorOf(() => repo.update({ colour: 'red' } as never)).message).toContain('colour');
    expect(errorOf(() => repo.update({ keepAliveSeconds: 1.5 })).message).toContain('keepAliveSeconds');
    expect(errorOf(() => repo.update({ dockerEndpoint: 'http//nope' })).message).toContain(
      'dockerEndpoint: Use unix://',
    );
    expect(errorOf(() => repo.update({ images: { 'nodejs22.x': 'Not An Image' } })).message).toContain(
      'images.nodejs22.x: Not a Docker image name',
    );
    expect(repo.get()).toEqual(defaultSettings);
  });

  it('reads a stored value that no longer validates as the default, without deleting it', () => {
    const insert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
    insert.run('keepAliveSeconds', '"ten"');
    insert.run('theme', 'not json');
    insert.run('concurrencyLimit', '7');
    insert.run('someFutureSetting', '{"x":1}');
    const repo = new SettingsRepo(db);
    expect(repo.get()).toEqual({ ...defaultSettings, concurrencyLimit: 7 });
    expect(db.prepare('SELECT COUNT(*) FROM settings').pluck().get()).toBe(4);
    repo.update({ keepAliveSeconds: 5 });
    expect(repo.get().keepAliveSeconds).toBe(5);
  });
});

describe('settings schema', () => {
  it('accepts the endpoint forms Docker itself accepts, and empty for the default', () => {
    for (const ok of ['', 'unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', 'ssh://me@build-box']) {
      expect(settingsPatch.safeParse({ dockerEndpoint: ok }).success, ok).toBe(true);
    }
    for (const bad of ['unix://relative.sock', 'tcp://', 'ftp://host', '/var/run/docker.sock', 'tcp://a b']) {
      expect(settingsPatch.safeParse({ dockerEndpoint: bad }).success, bad).toBe(false);
    }
  });

  it('accepts image references with registry, port, tag and digest, and refuses malformed ones', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const ok of [
      'public.ecr.aws/lambda/nodejs:22',
      'lambench-local/python:3.11',
      'localhost:5000/team/node_20',
      `busybox@${digest}`,
      'node',
    ]) {
      expect(settingsPatch.safeParse({ images: { 'nodejs22.x': ok } }).success, ok).toBe(true);
    }
    for (const bad of ['', 'Node:20', 'node:', 'node::20', '-node', 'a/b/:c']) {
      expect(settingsPatch.safeParse({ images: { 'nodejs22.x': bad } }).success, bad).toBe(false);
    }
    expect(settingsPatch.safeParse({ images: { 'Node 22': 'node' } }).success).toBe(false);
  });
});
