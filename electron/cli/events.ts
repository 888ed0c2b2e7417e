import { WorkbenchError } from '../../shared/rpc/errors';
import type { EventTemplateInfo } from '../../shared/types';
import { withEngine } from './engine-client';
import type { Command } from './run';

export const events: Command = {
  summary: 'Generate sample events (API Gateway, S3, SQS, …) like `sam local generate-event`',
  usage: 'lambench events generate <template> | lambench events generate --list',
  options: { list: { type: 'boolean', short: 'l' } },
  async run({ values, positionals }) {
    const [sub, name, ...extra] = positionals;
    const listOnly = values.list === true;
    if (sub !== 'generate' || extra.length > 0 || (!name && !listOnly) || (name && listOnly)) {
      console.error(`Usage: ${this.usage}`);
      return 2;
    }
    return withEngine(async (client) => {
      if (listOnly) {
        console.log(templateList(await client.call('eventTemplates:list')));
        return 0;
      }
      try {
        console.log(await client.call('eventTemplates:generate', { name }));
        return 0;
      } catch (error) {
        if (!(error instanceof WorkbenchError) || error.name !== 'UnknownEventTemplate') throw error;
        console.error(`lambench events: unknown event template '${name}'. Known templates:`);
        console.error(templateList(await client.call('eventTemplates:list')));
        return 2;
      }
    });
  },
};

function templateList(templates: EventTemplateInfo[]): string {
  const width = Math.max(...templates.map((t) => t.name.length));
  return templates.map((t) => `  ${t.name.padEnd(width)}  ${t.title}`).join('\n');
}
