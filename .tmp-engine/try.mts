import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
process.env.LAMBENCH_IMAGES = path.resolve('test/support/local-images.json');
const { createEngine } = await import('/work/main/electron/engine/engine.ts');
const { createDirectClient } = await import('/work/main/electron/engine/direct-client.ts');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-home-'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lb-proj-'));
const engine = await createEngine({ home });
const client = createDirectClient(engine);
for (const bp of ['nodejs22-hello', 'python312-hello', 'provided-bash']) {
  const p = await client.call('projects:create', { blueprint: bp, path: path.join(dir, bp) });
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = await client.call('functions:invoke', { projectId: p.id, functionId: 'HelloWorldFunction', payload: '{}' });
    console.log(bp, r.status, r.coldStart, r.durationMs, r.initDurationMs, r.maxMemoryUsedMb, (performance.now() - t).toFixed(1), r.error);
    if (i === 0) console.log(r.logs);
  }
}
await engine.close();
