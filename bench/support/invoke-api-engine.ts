/**
 * An engine in its own process serving the Invoke API, as the desktop app or `lambench serve` would be, for
 * bench/suites/invoke-api.ts: a client's SDK and Lambench then run side by side, as they do for a user.
 * Messages: → {url, projectId}; ← 'count' → {succeeded, recorded}; ← 'stop'.
 */
import { createDirectClient } from '../../electron/engine/direct-client';
import { createEngine } from '../../electron/engine/engine';

const [home, projectDir] = process.argv.slice(2);
const engine = await createEngine({ home });
const project = await createDirectClient(engine).call('projects:open', { path: projectDir });
const api = await engine.services.invokeApi.start(engine.services.settings.get(), { port: 0, enabled: true });
process.send!({ url: api.url, projectId: project.id });

process.on('message', async (message) => {
  if (message === 'count') {
    engine.services.records.flush();
    const one = (sql: string) => engine.services.db.prepare<[number], number>(sql).pluck().get(project.id)!;
    process.send!({
      succeeded: one("SELECT count(*) FROM async_events WHERE project_id = ? AND status = 'succeeded'"),
      finished: one(
        "SELECT count(*) FROM async_events WHERE project_id = ? AND status IN ('succeeded', 'failed')",
      ),
      recorded: one(
        "SELECT count(DISTINCT async_event_id) FROM invocations WHERE project_id = ? AND invocation_type = 'Event' AND status = 'success'",
      ),
    });
  } else if (message === 'stop') {
    await engine.close();
    process.exit(0);
  }
});
