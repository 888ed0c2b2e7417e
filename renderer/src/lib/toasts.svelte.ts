/** Short-lived notices in the corner: how an engine error that has no inline place still reaches the user. */
export interface Toast {
  id: number;
  kind: 'error' | 'success' | 'info';
  title: string;
  message: string;
}

export const toasts = $state<Toast[]>([]);
let nextId = 1;

export function toast(kind: Toast['kind'], title: string, message = ''): void {
  const id = nextId++;
  toasts.push({ id, kind, title, message });
  // Errors stay long enough to be read; a success is only a confirmation.
  setTimeout(() => dismiss(id), kind === 'error' ? 12_000 : 4_000);
}

export function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

/** "ProjectNotFound" → "Project not found": engine error names read as titles. */
export function humanize(name: string): string {
  if (!name || name === 'Error') return 'Something went wrong';
  const words = name.replace(/Error$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

export function toastError(action: string, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  toast('error', `${action}: ${humanize(e.name)}`, e.message);
}
