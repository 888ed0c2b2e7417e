/**
 * FunctionName (+ Qualifier) → the function to run: the one place the Invoke API resolves names; the qualifier
 * then goes through the versions resolver, as every invoke path's does. A name is a logical id, a FunctionName, a partial ARN (`123456789012:function:Name`)
 * or a full ARN (`arn:aws:lambda:us-east-1:123456789012:function:Name[:qualifier]`), with the qualifier also
 * allowed as `Name:qualifier`. Across open projects the one opened most recently wins, and the caller is told.
 */
import type { Project } from '../../../../shared/types';
import type { ProjectCatalog } from '../../projects/catalog';
import type { LoadedFunction } from '../../projects/template';
import type { VersionService } from '../../versions/version-service';
import { invalidParameter, LambdaError, notFound } from './lambda-error';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const LATEST = '$LATEST';

export interface ResolvedFunction {
  projectId: number;
  projectName: string;
  fn: LoadedFunction;
  /** The qualifier the caller named, if any. */
  qualifier?: string;
  /** What runs: $LATEST or a published version (an alias picks one). */
  executedVersion: string;
  codeVersion: number;
  /** Other open projects with a function of the same name, when the name was ambiguous. */
  alsoIn: string[];
}

export function functionArn(name: string, qualifier?: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/** Splits a FunctionName as Lambda accepts it into the bare name and the qualifier it carries. */
export function parseFunctionName(raw: string): { name: string; qualifier?: string } {
  const parts = raw.split(':');
  if (parts[0] === 'arn') {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if (parts.length < 7 || parts[2] !== 'lambda' || parts[5] !== 'function')
      throw invalidParameter(`${raw} is not a Lambda function ARN`);
    return { name: parts[6], qualifier: parts[7] };
  }
  if (parts.length >= 3 && parts[1] === 'function') return { name: parts[2], qualifier: parts[3] };
  return { name: parts[0], qualifier: parts[1] };
}

export async function resolveFunction(
  catalog: ProjectCatalog,
  versions: Pick<VersionService, 'resolve'>,
  rawName: string,
  queryQualifier?: string,
): Promise<ResolvedFunction> {
  const { name, qualifier: named } = parseFunctionName(rawName);
  if (named && queryQualifier && named !== queryQualifier)
    throw invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  const qualifier = named ?? (queryQualifier || undefined);
  // A recent project list first (listing checks every folder on disk); a miss looks again, afresh.
  let matches = await find(catalog, name, openProjects(catalog, false));
  if (matches.length === 0) matches = await find(catalog, name, openProjects(catalog, true));
  if (matches.length === 0) throw notFound(functionArn(name, qualifier));
  const [first, ...others] = matches;
  const run = await versions.resolve(first.projectId, first.fn.id, qualifier).catch((error: Error) => {
    if (error.name === 'ResourceNotFoundException') throw notFound(functionArn(name, qualifier));
    if (error.name === 'ValidationException')
      throw new LambdaError(400, 'ValidationException', error.message);
    throw error;
  });
  return {
    ...first,
    fn: run.fn,
    qualifier,
    executedVersion: run.executedVersion,
    codeVersion: run.codeVersion,
    alsoIn: others.map((m) => m.projectName),
  };
}

type Match = { projectId: number; projectName: string; fn: LoadedFunction };

async function find(catalog: ProjectCatalog, name: string, projects: Project[]): Promise<Match[]> {
  const matches: Match[] = [];
  for (const project of projects) {
    let functions: LoadedFunction[];
    try {
      functions = (await catalog.loaded(project.id)).functions;
    } catch {
      continue; // a broken template hides its functions, as it does in the UI
    }
    // The logical id first: within one template it is unique, while FunctionName may repeat a logical id.
    const fn = functions.find((f) => f.id === name) ?? functions.find((f) => f.functionName === name);
    if (fn) matches.push({ projectId: project.id, projectName: project.name, fn });
  }
  return matches;
}

/** How long a project list is reused by the warm path. */
const PROJECTS_TTL_MS = 1000;
const recentProjects = new WeakMap<ProjectCatalog, { at: number; projects: Project[] }>();

/** Open projects whose folder exists, most recently opened first (the tie-break for a name in several). */
function openProjects(catalog: ProjectCatalog, fresh: boolean): Project[] {
  const recent = recentProjects.get(catalog);
  if (!fresh && recent && Date.now() - recent.at < PROJECTS_TTL_MS) return recent.projects;
  const projects = catalog
    .list()
    .filter((p) => !p.missing)
    .sort((a, b) => b.openedAt - a.openedAt || b.id - a.id);
  recentProjects.set(catalog, { at: Date.now(), projects });
  return projects;
}

/** Every function of every open project, most recently opened project first (for ListFunctions). */
export async function allFunctions(catalog: ProjectCatalog): Promise<Match[]> {
  const out: Match[] = [];
  for (const project of openProjects(catalog, true)) {
    try {
      for (const fn of (await catalog.loaded(project.id)).functions)
        out.push({ projectId: project.id, projectName: project.name, fn });
    } catch {
      // skipped, as above
    }
  }
  return out;
}
