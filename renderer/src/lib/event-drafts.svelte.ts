/** The event text being edited for each function, kept while the user moves between functions and tabs. */
export interface EventRef {
  name: string;
  source: 'saved' | 'file';
}

export interface Draft {
  text: string;
  /** The saved or file event the text came from; undefined for an unsaved draft. */
  selected: EventRef | undefined;
  /** Whether the first load chose a default yet. */
  initialised: boolean;
}

/** What the Lambda console offers before any event is saved. */
export const DEFAULT_EVENT = `{
  "key1": "value1",
  "key2": "value2",
  "key3": "value3"
}
`;

/** Plain storage on purpose: each draft is reactive itself, the lookup never needs to be. */
const drafts: Record<string, Draft> = {};

export function draftFor(projectId: number, functionId: string): Draft {
  const key = `${projectId}:${functionId}`;
  const known = drafts[key];
  if (known) return known;
  const draft: Draft = $state({ text: DEFAULT_EVENT, selected: undefined, initialised: false });
  drafts[key] = draft;
  return draft;
}

export const sameEvent = (a: EventRef | undefined, b: EventRef | undefined): boolean =>
  !!a && !!b && a.name === b.name && a.source === b.source;
