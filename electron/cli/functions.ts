import { resolve } from 'node:path';
import type { FunctionInfo } from '../../shared/types';
import { withEngine } from './engine-client';
import type { Command } from './run';

export const functions: Command = {
  summary: "List a SAM project's functions and their configuration",
  usage: 'lambench functions --project <dir> [--json]',
  options: {
    project: { type: 'string', short: 'p' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    if (typeof values.project !== 'string') throw new Error(`--project is required\nUsage: ${this.usage}`);
    const list = await withEngine(async (client) => {
      const project = await client.call('projects:open', { path: resolve(values.project as string) });
      return client.call('projects:functions', { projectId: project.id });
    });
    console.log(values.json ? JSON.stringify(list, null, 2) : table(list));
    return 0;
  },
};

function table(list: FunctionInfo[]): string {
  const rows = [
    ['ID', 'RUNTIME', 'HANDLER', 'MEMORY', 'TIMEOUT', 'NOTES'],
    ...list.map((f) => [
      f.id,
      f.packageType === 'Image' ? 'image' : f.runtime || '-',
      f.packageType === 'Image' ? (f.image?.command?.join(' ') ?? '(image CMD)') : f.handler || '-',
      `${f.memorySize} MB`,
      `${f.timeout} s`,
      f.unsupported ? `unsupported: ${f.unsupported}` : '',
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
