import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { localImageFor, localImageMap } from '../../electron/engine/docker/local-runtime-images';
import { hasLocalRuntimeImage } from '../../shared/local-runtime-images';

afterEach(() => {
  delete process.env.LAMBENCH_LOCAL_IMAGE_REPO;
});

it('the map CI points LAMBENCH_IMAGES at is the engine’s own', () => {
  const file = JSON.parse(fs.readFileSync('test/support/local-images.json', 'utf8')) as Record<
    string,
    string
  >;
  expect(file).toEqual(localImageMap('lambench-local'));
});

it('names local images in LAMBENCH_LOCAL_IMAGE_REPO, and only for runtimes it has a recipe for', () => {
  expect(localImageFor('nodejs22.x')).toBe('lambench-local/nodejs:20');
  process.env.LAMBENCH_LOCAL_IMAGE_REPO = 'my-team';
  expect(localImageFor('python3.12')).toBe('my-team/python:3.11');
  expect(localImageFor('provided.al2')).toBe('my-team/provided:al2023');
  expect(localImageFor('java21')).toBeUndefined();
  expect(hasLocalRuntimeImage('nodejs20.x')).toBe(true);
  expect(hasLocalRuntimeImage('nodejs18.x')).toBe(false);
});
