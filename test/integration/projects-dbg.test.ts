import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { it } from 'vitest';
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';

it('dbg', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dbg-'));
  const engine = await createEngine({ home: join(root, 'home'), executor: 'process' });
  const client = createDirectClient(engine);
  engine.events.subscribe((e, p) => console.log('EVENT', e, JSON.stringify(p)));
  for (const n of ['a', 'b']) {
    const dir = join(root, n);
    cpSync(resolve(__dirname, '../fixtures/templates/hello-world'), dir, { recursive: true });
    const p = await client.call('projects:open', { path: dir });
    await client.call('projects:functions', { projectId: p.id });
    const file = join(dir, 'template.yaml');
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      writeFileSync(file, readFileSync(file));
      console.log('touched', n, i);
    }
  }
  await engine.close();
});
