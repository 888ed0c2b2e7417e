import { readFileSync } from 'node:fs';

/** What real users run: the official AWS base images. Their own runtime client speaks to our Runtime API. */
export const defaultImages: Record<string, string> = {
  'nodejs18.x': 'public.ecr.aws/lambda/nodejs:18',
  'nodejs20.x': 'public.ecr.aws/lambda/nodejs:20',
  'nodejs22.x': 'public.ecr.aws/lambda/nodejs:22',
  'python3.9': 'public.ecr.aws/lambda/python:3.9',
  'python3.10': 'public.ecr.aws/lambda/python:3.10',
  'python3.11': 'public.ecr.aws/lambda/python:3.11',
  'python3.12': 'public.ecr.aws/lambda/python:3.12',
  'python3.13': 'public.ecr.aws/lambda/python:3.13',
  'provided.al2': 'public.ecr.aws/lambda/provided:al2',
  'provided.al2023': 'public.ecr.aws/lambda/provided:al2023',
};

/**
 * The runtime → image map: defaults, then a JSON file named by LAMBENCH_IMAGES (how CI points at the
 * locally built images), then the user's settings.
 */
export function imageMap(overrides: Record<string, string> = {}): Record<string, string> {
  const file = process.env.LAMBENCH_IMAGES;
  const fromFile = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  return { ...defaultImages, ...fromFile, ...overrides };
}
