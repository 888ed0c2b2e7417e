import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commands } from './commands';

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'lambench: the AWS Lambda console on your own machine',
    '',
    'Usage: lambench <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `lambench <command> --help` for a command’s options. Data lives in $LAMBENCH_HOME',
    '(default: ~/.local/share/lambench).',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(process.env.npm_package_version ?? (await import('./version')).version);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`lambench: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`lambench ${name}: ${(error as Error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(parsed as { values: Record<string, unknown>; positionals: string[] });
  } catch (error) {
    const e = error as Error;
    console.error(`lambench ${name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    return 1;
  }
}
