import { basename, relative, resolve } from 'node:path';
import type { WorkbenchClient } from '../../shared/rpc/client';
import { withEngine } from './engine-client';
import type { Command } from './run';

export const init: Command = {
  summary: 'Create a SAM project from a blueprint (deployable with `sam deploy` unchanged)',
  usage: 'lambench init --blueprint <name> <dir> [--name <project name>]',
  options: {
    blueprint: { type: 'string', short: 'b' },
    name: { type: 'string' },
  },
  async run({ values, positionals }) {
    const blueprint = values.blueprint as string | undefined;
    const [dir] = positionals;
    return withEngine(async (client) => {
      const known = await client.call('blueprints:list');
      if (!blueprint || !dir || !known.some((b) => b.name === blueprint)) {
        if (blueprint && !known.some((b) => b.name === blueprint))
          console.error(`lambench init: unknown blueprint '${blueprint}'`);
        else console.error(`lambench init: --blueprint and a folder are required`);
        console.error(`\nUsage: ${this.usage}\n\nBlueprints:`);
        const width = Math.max(...known.map((b) => b.name.length));
        for (const b of known) console.error(`  ${b.name.padEnd(width)}  ${b.title}`);
        return 2;
      }
      const path = resolve(dir);
      const project = await client.call('projects:create', {
        blueprint,
        path,
        name: values.name as string | undefined,
      });
      console.log(`Created project '${project.name}' from ${blueprint} in ${project.path}`);
      console.log(`\nNext steps:\n${(await nextSteps(client, project.id, project.path)).join('\n')}`);
      return 0;
    });
  },
};

async function nextSteps(client: WorkbenchClient, projectId: number, path: string): Promise<string[]> {
  const [fn] = await client.call('projects:functions', { projectId });
  const cd = relative(process.cwd(), path) || '.';
  const steps = [`  cd ${quote(cd.startsWith('..') ? path : cd)}`, '  lambench functions --project .'];
  if (fn) {
    const events = await client.call('events:list', { projectId, functionId: fn.id });
    const file = events.find((e) => e.source === 'file');
    steps.push(`  lambench invoke ${fn.id} --project .${file ? ` --event events/${quote(file.name)}` : ''}`);
  }
  steps.push(
    '  lambench serve        # the Lambench UI in your browser',
    '',
    `${basename(path)} stays a SAM project: \`sam build && sam deploy --guided\` deploys it unchanged.`,
  );
  return steps;
}

const quote = (s: string): string => (/^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
