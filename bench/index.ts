/**
 * `npm run bench`: every performance goal of the issues, each measured against a baseline taken in the
 * same run, so the ratios mean something on whatever machine runs them. `npm run bench -- store` runs one.
 */
import { readdirSync } from 'node:fs';
import { printRows, type BenchSuite } from './report';

const only = process.argv.slice(2);
const files = readdirSync(new URL('./suites/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .sort();
let missed = 0;
for (const file of files) {
  const { suite } = (await import(`./suites/${file}`)) as { suite: BenchSuite };
  if (only.length && !only.includes(suite.name)) continue;
  console.log(`\n# ${suite.name}`);
  const rows = await suite.run();
  printRows(rows);
  missed += rows.filter((r) => !r.pass).length;
}
console.log(missed ? `\n${missed} goal(s) missed` : '\nall goals met');
