/**
 * The rows History shows: pages loaded by keyset as the table scrolls, and invocations heard about live
 * (started, finished) fetched again through the same filters and merged in place, newest first.
 */
import type { InvocationSummary } from '../../../../shared/api/history';
import type { InvocationStatus } from '../../../../shared/types';
import { api } from '../../lib/api';
import { parseFunctionKey, rangeStart, type RangeId } from './format';

export interface HistoryFilters {
  /** `projectId/functionId`, or '' for every function. */
  functionKey: string;
  statuses: InvocationStatus[];
  range: RangeId;
  coldOnly: boolean;
  text: string;
  /** `v:<version>` (what ran) or `a:<alias>` (what was named), or '' for every version. */
  version: string;
}

export const emptyFilters = (): HistoryFilters => ({
  functionKey: '',
  statuses: [],
  range: 'all',
  coldOnly: false,
  text: '',
  version: '',
});

const FIRST_PAGE = 100;
const NEXT_PAGE = 200;
const LIVE_DELAY_MS = 120;

/** Newest first; ids break ties the way the engine's keyset does. */
const newer = (a: InvocationSummary, b: InvocationSummary) =>
  a.startedAt !== b.startedAt ? a.startedAt > b.startedAt : a.invocationId > b.invocationId;

export class HistoryList {
  rows = $state.raw<InvocationSummary[]>([]);
  hasMore = $state(false);
  loading = $state(false);
  /** True once the first page for the current filters has arrived. */
  loaded = $state(false);
  error = $state('');
  private cursor: string | undefined;
  /** Bumped by every reload, so an answer for older filters is dropped. */
  private generation = 0;
  private filters: HistoryFilters = emptyFilters();
  /** Invocations heard about live and not yet fetched (few: a burst at most). */
  private live: string[] = [];
  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  /** `scope` pins the list to one function (the function workspace's History tab). */
  constructor(private readonly scope: () => { projectId?: number; functionId?: string } = () => ({})) {}

  /** The engine query for the current filters (also what an export uses). */
  query() {
    const f = this.filters;
    const scope = this.scope();
    const fn = scope.functionId ? scope : parseFunctionKey(f.functionKey);
    const text = f.text.trim();
    return {
      ...(fn.projectId !== undefined ? { projectId: fn.projectId } : {}),
      ...(fn.functionId !== undefined ? { functionId: fn.functionId } : {}),
      ...(f.statuses.length ? { status: f.statuses } : {}),
      ...(rangeStart(f.range) !== undefined ? { from: rangeStart(f.range) } : {}),
      ...(f.coldOnly ? { coldOnly: true } : {}),
      ...(text ? { text } : {}),
      ...(f.version.startsWith('v:') ? { version: f.version.slice(2) } : {}),
      ...(f.version.startsWith('a:') ? { alias: f.version.slice(2) } : {}),
    };
  }

  async reload(filters: HistoryFilters): Promise<void> {
    this.filters = { ...filters, statuses: [...filters.statuses] };
    const generation = ++this.generation;
    this.loading = true;
    this.error = '';
    try {
      const page = await api.call('history:list', { ...this.query(), limit: FIRST_PAGE });
      if (generation !== this.generation) return;
      this.rows = page.rows;
      this.cursor = page.nextCursor;
      this.hasMore = page.nextCursor !== undefined;
      this.loaded = true;
    } catch (e) {
      if (generation === this.generation) this.error = `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** The next page, when the table scrolls near the end of what is loaded. */
  async loadMore(): Promise<void> {
    if (this.loading || !this.cursor) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await api.call('history:list', { ...this.query(), limit: NEXT_PAGE, cursor: this.cursor });
      if (generation !== this.generation) return;
      // Rows that arrived live may also be in the page.
      const known = idsOf(this.rows);
      this.rows = this.rows.concat(page.rows.filter((r) => !known[r.invocationId]));
      this.cursor = page.nextCursor;
      this.hasMore = page.nextCursor !== undefined;
    } catch (e) {
      if (generation === this.generation) this.error = `${(e as Error).name}: ${(e as Error).message}`;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  /** Listens for invocations starting and finishing; returns the unsubscriber. */
  follow(): () => void {
    const offStarted = api.on('invocation:started', (e) => this.heard(e.invocationId));
    const offFinished = api.on('invocation:finished', (e) => this.heard(e.invocationId));
    return () => {
      offStarted();
      offFinished();
      clearTimeout(this.liveTimer);
    };
  }

  private heard(invocationId: string): void {
    if (!this.live.includes(invocationId)) this.live.push(invocationId);
    // A burst of invocations becomes one query.
    this.liveTimer ??= setTimeout(() => void this.refreshLive(), LIVE_DELAY_MS);
  }

  /** Asks the engine for the rows heard about, through the current filters, and merges the answer. */
  private async refreshLive(): Promise<void> {
    this.liveTimer = undefined;
    const ids = this.live.splice(0, 500);
    if (this.live.length) this.liveTimer = setTimeout(() => void this.refreshLive(), LIVE_DELAY_MS);
    if (!this.loaded || ids.length === 0) return;
    const generation = this.generation;
    try {
      const page = await api.call('history:list', { ...this.query(), ids, limit: ids.length });
      if (generation === this.generation) this.merge(ids, page.rows);
    } catch {
      // The next reload shows them; a live refresh failing is not worth an error banner.
    }
  }

  private merge(asked: string[], found: InvocationSummary[]): void {
    const foundIds = idsOf(found);
    // Asked about but no longer matching (a running row whose status the filter excludes now): gone.
    const gone = asked.filter((id) => !foundIds[id]);
    const next = this.rows.filter((r) => !gone.includes(r.invocationId));
    for (const row of found) {
      const at = next.findIndex((r) => r.invocationId === row.invocationId);
      if (at >= 0) {
        next[at] = row;
        continue;
      }
      const last = next[next.length - 1];
      // Older than everything loaded while more pages wait: that page will bring it.
      if (this.hasMore && last && newer(last, row)) continue;
      let i = 0;
      while (i < next.length && newer(next[i], row)) i++;
      next.splice(i, 0, row);
    }
    this.rows = next;
  }
}

/** A lookup of row ids (plain, not reactive: built and read within one call). */
function idsOf(rows: InvocationSummary[]): Record<string, true> {
  const ids: Record<string, true> = Object.create(null);
  for (const r of rows) ids[r.invocationId] = true;
  return ids;
}
