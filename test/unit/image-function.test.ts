/** Container-image functions in template.yaml, and the context hash that names their builds. */
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFiles, contextHash } from '../../electron/engine/docker/image-build';
import { imageRepository } from '../../electron/engine/docker/function-images';
import { loadTemplate } from '../../electron/engine/projects/template';

const dir = resolve(__dirname, '../fixtures/templates/image');
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('PackageType: Image in template.yaml', () => {
  it('reads SAM’s Metadata, ImageConfig and ImageUri; Runtime and Handler come from the image', async () => {
    const t = await loadTemplate(dir);
    const fns = Object.fromEntries(t.functions.map((f) => [f.id, f]));
    expect(fns.Built).toMatchObject({
      packageType: 'Image',
      runtime: '',
      handler: '',
      codeUri: join(dir, 'app'),
      memorySize: 1024,
      timeout: 7,
      layers: [],
      image: {
        context: join(dir, 'app'),
        dockerfile: 'Dockerfile',
        dockerTag: 'nodejs20.x-v1',
        target: 'runtime',
        buildArgs: { NODE_ENV: 'production', LEVEL: '3' },
        entryPoint: ['/lambda-entrypoint.sh'],
        command: ['app.handler'],
        workingDirectory: '/var/task',
      },
    });
    expect(fns.Built.unsupported).toBeUndefined();
    expect(fns.Defaults.image).toMatchObject({
      context: join(dir, 'app'),
      dockerfile: 'Dockerfile',
      dockerTag: 'latest',
    });
    expect(fns.Defaults.unsupported).toBeUndefined();
    expect(fns.FromUri.image).toEqual({ imageUri: 'lambench-fn/prebuilt:1' });
    expect(fns.FromUri.unsupported).toBeUndefined();
    expect(fns.LambdaFromUri.image?.imageUri).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:image');
  });

  it('says why an image function cannot run', async () => {
    const t = await loadTemplate(dir);
    const reasons = Object.fromEntries(t.functions.map((f) => [f.id, f.unsupported]));
    expect(reasons.NoSource).toBe(
      'Image function needs Metadata (DockerContext and Dockerfile, as `sam init` writes them) or an ImageUri',
    );
    expect(reasons.MissingDockerfile).toBe(
      `Dockerfile 'Dockerfile.prod' not found in the DockerContext (${join(dir, 'app')})`,
    );
    expect(reasons.WithLayers).toMatch(
      /^Layers are not supported for functions packaged as a container image/,
    );
    expect(reasons.BadPackage).toBe("PackageType 'Jar' is not valid (Zip or Image)");
  });
});

describe('the build context hash', () => {
  const context = () => {
    const d = mkdtempSync(join(tmpdir(), 'lambench-context-'));
    temps.push(d);
    cpSync(join(dir, 'app'), d, { recursive: true });
    return d;
  };
  const hash = (c: string, extra: object = {}) =>
    contextHash({ context: c, dockerfile: 'Dockerfile', ...extra });

  it('is the same for the same files, wherever they are', async () => {
    expect(await hash(context())).toBe(await hash(context()));
    expect(await hash(context())).toMatch(/^[0-9a-f]{12}$/);
  });

  it('changes with a file’s content, a new file, the executable bit, the build args and the target', async () => {
    const c = context();
    const seen = new Set([await hash(c)]);
    writeFileSync(join(c, 'app.mjs'), "export const handler = async () => 'changed';\n");
    seen.add(await hash(c));
    writeFileSync(join(c, 'extra.txt'), 'x');
    seen.add(await hash(c));
    chmodSync(join(c, 'extra.txt'), 0o755);
    seen.add(await hash(c));
    seen.add(await hash(c, { buildArgs: { A: '1' } }));
    seen.add(await hash(c, { target: 'prod' }));
    seen.add(await hash(c, { dockerfile: 'Dockerfile.other' }));
    expect(seen.size).toBe(7);
  });

  it('leaves out what .dockerignore excludes, as the packed context does', async () => {
    const c = context();
    const before = await hash(c);
    writeFileSync(join(c, '.dockerignore'), '*.md\nnotes/\n!keep.md\n');
    const withIgnore = await hash(c);
    writeFileSync(join(c, 'README.md'), 'words');
    expect(await hash(c)).toBe(withIgnore);
    writeFileSync(join(c, 'keep.md'), 'kept');
    expect(await hash(c)).not.toBe(withIgnore);
    expect(withIgnore).not.toBe(before);
    expect(await contextFiles(c)).toEqual(['.dockerignore', 'Dockerfile', 'app.mjs', 'keep.md']);
  });

  it('names images as Docker accepts them', () => {
    expect(imageRepository('My Project_2', 'HelloWorldFunction')).toBe(
      'lambench-fn/my-project-2-helloworldfunction',
    );
    expect(imageRepository('--', 'Fn')).toBe('lambench-fn/x-fn');
  });
});
