/**
 * What the packaged app needs, checked without packaging it (that needs Electron's binary and a network):
 * electron-builder.yml unpacks the native SQLite module from asar and ships the runtime clients and
 * blueprints as real files, and the resources resolver finds them in that layout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listBlueprints } from '../../electron/engine/projects/blueprints';
import { findResourcesFrom, packagedResourcesDir, resourcesDir } from '../../electron/engine/resources';

interface BuilderConfig {
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[] };
}
const config = parse(fs.readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
const pkg = (name: string) =>
  JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, 'utf8')) as {
    dependencies?: Record<string, string>;
  };

/** Whether `file` (relative to the app) falls under one of the `dir/**` globs. */
const under = (globs: string[], file: string) =>
  globs.some((g) => g.endsWith('/**') && file.startsWith(`${g.slice(0, -2)}`));

describe('electron-builder.yml', () => {
  it('builds an AppImage and a deb from the built app', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.files).toContain('out/**');
    expect(config.asar).toBe(true);
  });

  it('unpacks better-sqlite3 and what loads it from asar (native modules cannot load from inside)', () => {
    expect(under(config.asarUnpack, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(
      true,
    );
    // `bindings` finds the .node file at run time, and needs file-uri-to-path; prebuild-install is install-time only.
    const runtimeDeps = ['bindings', ...Object.keys(pkg('bindings').dependencies ?? {})];
    expect(Object.keys(pkg('better-sqlite3').dependencies ?? {})).toContain('bindings');
    for (const dep of runtimeDeps)
      expect(under(config.asarUnpack, `node_modules/${dep}/package.json`)).toBe(true);
  });

  it('ships the runtime clients and blueprints as real files where the resolver looks', () => {
    const byFrom = Object.fromEntries(config.extraResources.map((e) => [e.from, e.to]));
    expect(byFrom['resources/runtimes']).toBe('resources/runtimes');
    expect(byFrom['resources/blueprints']).toBe('resources/blueprints');
    for (const from of Object.keys(byFrom)) expect(fs.statSync(from).isDirectory()).toBe(true);
  });
});

describe('the resources resolver in a packaged layout', () => {
  // Laid out as electron-builder does on Linux: <app>/resources/{app.asar, app.asar.unpacked, <extraResources>}.
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'lambench-packaged-'));
  const resourcesPath = path.join(app, 'resources'); // Electron's process.resourcesPath
  afterAll(() => {
    delete process.env.LAMBENCH_RESOURCES;
    fs.rmSync(app, { recursive: true, force: true });
  });
  fs.mkdirSync(path.join(resourcesPath, 'app.asar', 'out', 'main', 'chunks'), { recursive: true });
  for (const glob of config.asarUnpack) {
    const dir = glob.slice(0, -3);
    fs.cpSync(dir, path.join(resourcesPath, 'app.asar.unpacked', dir), { recursive: true });
  }
  for (const { from, to } of config.extraResources)
    fs.cpSync(from, path.join(resourcesPath, to), { recursive: true });

  it('finds the runtime clients and blueprints from process.resourcesPath', () => {
    process.env.LAMBENCH_RESOURCES = packagedResourcesDir(resourcesPath); // what electron/main sets
    expect(resourcesDir()).toBe(path.join(resourcesPath, 'resources'));
    expect(fs.existsSync(path.join(resourcesDir(), 'runtimes', 'node'))).toBe(true);
    expect(fs.existsSync(path.join(resourcesDir(), 'runtimes', 'python'))).toBe(true);
    expect(listBlueprints().map((b) => b.name)).toEqual(
      fs
        .readdirSync('resources/blueprints')
        .filter((n) => fs.existsSync(`resources/blueprints/${n}/blueprint.json`)),
    );
  });

  it('finds them by walking up from the bundled engine inside app.asar, too', () => {
    expect(findResourcesFrom(path.join(resourcesPath, 'app.asar', 'out', 'main', 'chunks'))).toBe(
      packagedResourcesDir(resourcesPath),
    );
  });

  it('has the native SQLite binding outside the archive', () => {
    const unpacked = path.join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
    expect(fs.existsSync(path.join(unpacked, 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  });
});
