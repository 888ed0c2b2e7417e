/**
 * Settings, Docker connection checks, runtime images and warm environments. The settings schema lives here,
 * not in the engine, so the UI validates each field inline with the very rules the engine enforces.
 */
import { z } from 'zod';
import { defaultPriceTable } from '../pricing';
import type { DockerPing, PullOutcome, RuntimeImage, WarmEnvironments } from '../types';
import { method, none } from './method';

const endpointSchemes = /^(unix|npipe|tcp|ssh):\/\//;

/** Empty means DOCKER_HOST, else the default socket. */
export const dockerEndpoint = z
  .string()
  .trim()
  .max(1000)
  .refine(
    (v) => v === '' || isEndpoint(v),
    'Use unix:///path/to/docker.sock, tcp://host:2376 or ssh://user@host (leave empty for DOCKER_HOST or the default socket)',
  );

function isEndpoint(v: string): boolean {
  if (!endpointSchemes.test(v) || /\s/.test(v)) return false;
  if (v.startsWith('unix://')) return v.slice('unix://'.length).startsWith('/');
  if (v.startsWith('npipe://')) return v.length > 'npipe://'.length;
  try {
    return new URL(v).hostname !== '';
  } catch {
    return false;
  }
}

export const runtimeName = z
  .string()
  .max(50)
  .regex(/^[a-z][a-z0-9.]*$/, 'A runtime identifier such as nodejs22.x or python3.12');

/** A Docker image reference: [registry[:port]/]name[/name…][:tag][@sha256:digest]. */
export const imageRef = z
  .string()
  .trim()
  .min(1, 'Enter an image name')
  .max(500)
  .regex(
    /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'Not a Docker image name: use lowercase name[:tag], e.g. public.ecr.aws/lambda/nodejs:22',
  );

export const pricingRegions = Object.keys(defaultPriceTable.regions);
export const themes = ['system', 'light', 'dark'] as const;

/** Each setting's rules, without defaults: the full schema and the patch schema are both built from these. */
const fields = {
  dockerEndpoint,
  /** The user's runtime → image overrides, over the defaults and LAMBENCH_IMAGES. */
  images: z
    .record(runtimeName, imageRef)
    .refine((m) => Object.keys(m).length <= 200, 'At most 200 image overrides'),
  /** How long an idle warm environment is kept before it is stopped; 0 stops it right after each invoke. */
  keepAliveSeconds: z
    .number()
    .int('Whole seconds')
    .min(0, 'At least 0')
    .max(86_400, 'At most 86,400 (a day)'),
  /** Concurrent invocations across all functions. */
  concurrencyLimit: z.number().int('A whole number').min(1, 'At least 1').max(1000, 'At most 1,000'),
  /** Lambda's CPU share scaled with memory (1,769 MB = 1 vCPU); off gives every environment all cores. */
  cpuScaling: z.boolean(),
  /** History older than this many days is deleted; 0 keeps it forever. */
  retentionDays: z.number().int('Whole days').min(0, 'At least 0').max(3650, 'At most 3,650 (ten years)'),
  /** At most this many invocations are kept (oldest go first); 0 means no limit. */
  retentionRows: z.number().int('A whole number').min(0, 'At least 0').max(10_000_000, 'At most 10,000,000'),
  pricingRegion: z.string().refine((r) => pricingRegions.includes(r), `One of ${pricingRegions.join(', ')}`),
  /** Subtract Lambda's monthly free tier in cost views. */
  freeTier: z.boolean(),
  theme: z.enum(themes),
  /** Where the local API Gateway (the template's Api/HttpApi routes) listens on 127.0.0.1. */
  httpApiPort: z.number().int('A whole number').min(1, 'At least 1').max(65535, 'At most 65,535'),
  /** The Lambda Invoke API on 127.0.0.1, for the AWS SDKs and `aws lambda invoke --endpoint-url`. */
  invokeApiEnabled: z.boolean(),
  invokeApiPort: z.number().int('A whole number').min(1, 'At least 1').max(65_535, 'At most 65,535'),
  /** When set, SDK requests must sign with this access key id (any secret); empty accepts every request. */
  invokeApiAccessKeyId: z
    .string()
    .trim()
    .max(128, 'At most 128 characters')
    .regex(/^[A-Za-z0-9_-]*$/, 'Letters, digits, - and _ only'),
  /**
   * Provisioned concurrency per function, over the template's ProvisionedConcurrencyConfig (issue 16):
   * "<projectId>/<functionId>" → environments kept initialized; 0 turns the template's setting off.
   */
  provisionedConcurrency: z
    .record(
      z.string().regex(/^\d+\/[A-Za-z0-9]+$/, 'Keys are <projectId>/<functionId>'),
      z.number().int('A whole number').min(0, 'At least 0').max(100, 'At most 100 on a laptop'),
    )
    .refine((m) => Object.keys(m).length <= 500, 'At most 500 functions'),
};

export const settingsSchema = z.object(fields).strict();
export const settingsPatch = z.object(fields).partial().strict();
export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export type SettingsPatch = z.infer<typeof settingsPatch>;
export const settingKeys = Object.keys(fields) as SettingKey[];

export const defaultSettings: Readonly<Settings> = Object.freeze({
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
  // SAM's `sam local start-lambda` default, so existing scripts keep working.
  invokeApiPort: 3001,
  invokeApiAccessKeyId: '',
  provisionedConcurrency: {},
});

/** The settings as saved, and those that are saved but only take effect when Lambench restarts. */
export interface SettingsState {
  settings: Settings;
  pendingRestart: SettingKey[];
}

export const settingsMethods = {
  'settings:get': method<SettingsState>().input(none),
  /** Validates, saves and applies what can be applied live; returns the new state. */
  'settings:update': method<SettingsState>().input(z.object({ partial: settingsPatch }).strict()),
  /** Pings an endpoint (empty: the default) without changing anything. */
  'docker:test': method<DockerPing>().input(z.object({ endpoint: dockerEndpoint.optional() }).strict()),
  'images:list': method<RuntimeImage[]>().input(none),
  /** Pulls with `image:pull` progress events; fails with ImageNotAvailable naming the image and the setting. */
  'images:pull': method<PullOutcome>().input(z.object({ image: imageRef }).strict()),
  'environments:list': method<WarmEnvironments>().input(none),
  'environments:stopAll': method<{ stopped: number }>().input(none),
};
