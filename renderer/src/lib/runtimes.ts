/** Runtime identifiers as Lambda spells them (nodejs22.x, python3.12, provided.al2023), for badges and labels. */
export type RuntimeFamily = 'node' | 'python' | 'custom' | 'other';

export function runtimeFamily(runtime: string): RuntimeFamily {
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  if (runtime.startsWith('provided')) return 'custom';
  return 'other';
}

export function runtimeLabel(runtime: string): string {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) return `Node.js ${node[1]}`;
  const python = /^python(\d+\.\d+)$/.exec(runtime);
  if (python) return `Python ${python[1]}`;
  const provided = /^provided(?:\.(\w+))?$/.exec(runtime);
  if (provided) return provided[1] ? `Custom runtime (${provided[1].toUpperCase()})` : 'Custom runtime';
  return runtime || 'Unknown runtime';
}
