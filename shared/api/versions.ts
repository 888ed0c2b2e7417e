import { z } from 'zod';
import type { Architecture } from '../types';
import { functionId, method, projectId } from './method';

/** Lambda's alias name rule: letters, digits, `-` and `_`, and not all digits (that would be a version). */
export const ALIAS_NAME_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
/** Lambda's qualifier rule on Invoke: `$LATEST`, a version number or an alias name. */
export const QUALIFIER_PATTERN = '(|[a-zA-Z0-9$_-]+)';

const description = z.string().max(256).default('');
/** Left loose here so the engine answers with Lambda's own ValidationException text. */
const aliasName = z.string().max(200);
const versionRef = z.string().max(32);
const routingConfig = z
  .object({
    /** At most one extra version, with the share (0–1) of invokes it gets; the alias's version gets the rest. */
    additionalVersionWeights: z.record(z.string().max(32), z.number()),
  })
  .strict();
const qualifierInput = z.string().max(200);

export const versionMethods = {
  /** The function's published versions (oldest first) and its aliases. */
  'versions:list': method<FunctionVersions>().input(z.object({ projectId, functionId }).strict()),
  /**
   * Publishes $LATEST as it is now: a snapshot of its code folder and resolved configuration. When nothing
   * changed since the last version, that version is returned and no number is used (as PublishVersion does).
   */
  'versions:publish': method<PublishOutcome>().input(
    z.object({ projectId, functionId, description }).strict(),
  ),
  /** ResourceConflictException while an alias points at the version (either of its versions). */
  'versions:delete': method<{ deleted: string }>().input(
    z.object({ projectId, functionId, version: versionRef }).strict(),
  ),
  /** Side by side figures of two qualifiers' invocations, by the version that actually ran. */
  'versions:compare': method<VersionComparison>().input(
    z.object({ projectId, functionId, a: qualifierInput, b: qualifierInput }).strict(),
  ),
  /** ResourceConflictException when the alias exists already. */
  'aliases:create': method<FunctionAlias>().input(
    z
      .object({
        projectId,
        functionId,
        name: aliasName,
        functionVersion: versionRef,
        description,
        routingConfig: routingConfig.optional(),
      })
      .strict(),
  ),
  /** Moves the alias (rollback is this with an older version); a field left out keeps its value. */
  'aliases:update': method<FunctionAlias>().input(
    z
      .object({
        projectId,
        functionId,
        name: aliasName,
        functionVersion: versionRef.optional(),
        description: z.string().max(256).optional(),
        /** null removes the weighted second version. */
        routingConfig: routingConfig.nullable().optional(),
      })
      .strict(),
  ),
  'aliases:delete': method<{ deleted: string }>().input(
    z.object({ projectId, functionId, name: aliasName }).strict(),
  ),
};

/** A version's configuration as published (what `GetFunctionConfiguration` with a qualifier shows). */
export interface VersionConfig {
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  architecture: Architecture;
  ephemeralStorage: number;
  environment: Record<string, string>;
  /** Content hashes (hex) of the local layers' snapshots, in order. */
  layers: string[];
}

export interface FunctionVersion {
  /** '1', '2', …: numbers are never reused, even after a delete. */
  version: string;
  description: string;
  /** Base64 of the SHA-256, as Lambda reports CodeSha256 (here: of the code folder's files, not a zip). */
  codeSha256: string;
  /** Bytes of the code folder's files. */
  codeSize: number;
  createdAt: number;
  config: VersionConfig;
}

export interface FunctionAlias {
  name: string;
  /** A version number, or $LATEST. */
  functionVersion: string;
  description: string;
  routingConfig?: { additionalVersionWeights: Record<string, number> };
  updatedAt: number;
  /** The template's AutoPublishAlias names this alias: the next change moves it again. */
  managedByTemplate?: boolean;
  /** A DeploymentPreference shift in progress: routingConfig holds the weight as of now. */
  deployment?: { type: string; toVersion: string; startedAt: number; endsAt?: number };
}

export interface FunctionVersions {
  projectId: number;
  functionId: string;
  versions: FunctionVersion[];
  aliases: FunctionAlias[];
}

export interface PublishOutcome {
  version: FunctionVersion;
  /** False when nothing changed and the last version was returned. */
  created: boolean;
}

/** Figures of the invocations one version ran. Percentiles leave out throttles and failed starts. */
export interface VersionFigures {
  /** The qualifier asked for. */
  qualifier: string;
  /** The versions it covers (an alias: the one or two it routes to). */
  versions: string[];
  count: number;
  errors: number;
  p50?: number;
  p95?: number;
  maxMemoryUsedMb?: number;
  memorySizeMb?: number;
  /** Mean billed GB-seconds of one invocation. */
  avgGbSeconds: number;
  /** Requests plus compute for a million such invocations, at list price without the free tier. */
  costPerMillionUsd: number;
}

export interface VersionComparison {
  a: VersionFigures;
  b: VersionFigures;
}
