/**
 * Edits a YAML file by splicing its text, so every byte the edit does not touch stays as the user
 * wrote it (yaml's own `toString()` re-prints the whole document and normalises spacing). The same
 * edits are applied with the Document API; when a splice cannot be done safely (flow collections,
 * tagged parents…) or does not parse back to the same data, the Document API's output is used.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  isMap,
  isPair,
  isScalar,
  parse,
  parseDocument,
  stringify,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { cfnKeepTags, cfnReadTags } from './cfn-tags';

type Path = (string | number)[];

/** This edit needs the Document API (a layout the splicer does not handle). */
class NeedsDocumentApi extends Error {}

interface Splice {
  start: number;
  end: number;
  text: string;
  seq: number;
}

export class YamlEditor {
  private readonly doc: Document;
  /** The same edits through the Document API: the reference result and the fallback. */
  private readonly apiDoc: Document;
  private readonly splices: Splice[] = [];
  /** Keys to add under an existing block map, merged so nested additions share one block. */
  private readonly inserts = new Map<YAMLMap, Record<string, unknown>>();
  private spliceable = true;
  private readonly eol: string;

  constructor(private readonly text: string) {
    this.doc = parseDocument(text, { customTags: cfnKeepTags });
    this.apiDoc = parseDocument(text, { customTags: cfnKeepTags });
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  set(path: Path, value: string | number | string[]): void {
    // A fresh node, so a tag like `!Ref` on the old value is not kept around the new one.
    this.apiDoc.setIn(path, this.apiDoc.createNode(value));
    this.attempt(() => this.spliceSet(path, value));
  }

  delete(path: Path): void {
    this.apiDoc.deleteIn(path);
    this.attempt(() => this.spliceDelete(path));
  }

  /** The edited text, and whether it kept the original layout byte for byte outside the edits. */
  result(): { text: string; exact: boolean } {
    const viaApi = this.apiDoc.toString({ lineWidth: 0 });
    if (this.spliceable) {
      try {
        const spliced = this.applySplices();
        const same = isDeepStrictEqual(
          parse(spliced, { customTags: cfnReadTags }),
          parse(viaApi, { customTags: cfnReadTags }),
        );
        if (same) return { text: spliced, exact: true };
      } catch (err) {
        if (!(err instanceof NeedsDocumentApi)) throw err;
      }
    }
    return { text: viaApi, exact: false };
  }

  private attempt(edit: () => void): void {
    if (!this.spliceable) return;
    try {
      edit();
    } catch (err) {
      if (!(err instanceof NeedsDocumentApi)) throw err;
      this.spliceable = false;
    }
  }

  private col(pos: number): number {
    return pos - (this.text.lastIndexOf('\n', pos - 1) + 1);
  }

  /** Offset of the end of the line holding `pos` (before its line break). */
  private lineEnd(pos: number): number {
    let end = this.text[pos - 1] === '\n' ? pos - 1 : this.text.indexOf('\n', pos);
    if (end < 0) end = this.text.length;
    return this.text[end - 1] === '\r' ? end - 1 : end;
  }

  private pairOf(path: Path): { parent: unknown; pair?: Pair } {
    const parent = path.length === 1 ? this.doc.contents : this.doc.getIn(path.slice(0, -1), true);
    const pair = isMap(parent)
      ? parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1))
      : undefined;
    return { parent, pair: isPair(pair) ? pair : undefined };
  }

  private render(value: unknown, type?: string): string {
    if (typeof value !== 'string') return String(value);
    if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
    if (type === 'QUOTE_SINGLE' && !value.includes('\n')) return `'${value.replace(/'/g, "''")}'`;
    const plain = stringify(value, { lineWidth: 0 }).trimEnd();
    return plain.includes('\n') ? JSON.stringify(value) : plain;
  }

  private spliceSet(path: Path, value: string | number | string[]): void {
    const node = this.doc.getIn(path, true) as Node | undefined;
    if (node === undefined) return this.queueInsert(path, value);
    if (Array.isArray(value) || !node.range) throw new NeedsDocumentApi();
    const [start, end] = node.range;
    if (isScalar(node) && !node.tag && (node.type === 'PLAIN' || node.type?.startsWith('QUOTE'))) {
      this.splices.push({ start, end, text: this.render(value, node.type), seq: this.splices.length });
      return;
    }
    // A tagged value, block scalar or collection: replace everything after `key:`.
    const { pair } = this.pairOf(path);
    if (!pair || !isScalar(pair.key) || !pair.key.range) throw new NeedsDocumentApi();
    const colon = this.text.indexOf(':', pair.key.range[1]);
    this.splices.push({
      start: colon + 1,
      end: this.lineEnd(end),
      text: ` ${this.render(value)}`,
      seq: this.splices.length,
    });
  }

  private queueInsert(path: Path, value: unknown): void {
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const anchor = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (anchor === undefined) continue;
      if (!isMap(anchor) || anchor.tag || (!anchor.flow && anchor.items.length === 0))
        throw new NeedsDocumentApi();
      const rest = path.slice(depth);
      if (rest.some((k) => typeof k !== 'string')) throw new NeedsDocumentApi();
      let target = this.inserts.get(anchor) ?? {};
      this.inserts.set(anchor, target);
      for (const key of rest.slice(0, -1) as string[]) {
        target[key] ??= {};
        target = target[key] as Record<string, unknown>;
      }
      target[rest.at(-1) as string] = value;
      return;
    }
    throw new NeedsDocumentApi();
  }

  private spliceDelete(path: Path): void {
    const { parent, pair } = this.pairOf(path);
    if (!pair) return;
    if (!isMap(parent) || parent.flow || !isScalar(pair.key) || !pair.key.range) throw new NeedsDocumentApi();
    const keyStart = pair.key.range[0];
    const start = this.text.lastIndexOf('\n', keyStart - 1) + 1;
    if (this.text.slice(start, keyStart).trim() !== '') throw new NeedsDocumentApi();
    const valueEnd = (pair.value as Node | null)?.range?.[1] ?? pair.key.range[2];
    const end = Math.min(this.text.length, this.lineEnd(valueEnd) + this.eol.length);
    this.splices.push({ start, end, text: '', seq: this.splices.length });
  }

  /** Indentation step of the document, taken from the first nested block map. */
  private indentStep(): number {
    const root = this.doc.contents;
    if (!isMap(root)) return 2;
    for (const p of root.items) {
      if (isMap(p.value) && !p.value.flow && p.value.range && isScalar(p.key) && p.key.range)
        return Math.max(1, this.col(p.value.range[0]) - this.col(p.key.range[0]));
    }
    return 2;
  }

  /** `{a: 1}` + {b: 2} → `{a: 1, b: 2}`: added just before the closing brace. */
  private flowInsert(map: YAMLMap, obj: Record<string, unknown>, seq: number): Splice {
    if (!map.range) throw new NeedsDocumentApi();
    const close = this.text.lastIndexOf('}', map.range[1] - 1);
    if (close < map.range[0]) throw new NeedsDocumentApi();
    const flow = (v: unknown): string =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? `{${Object.entries(v)
            .map(([k, x]) => `${k}: ${flow(x)}`)
            .join(', ')}}`
        : Array.isArray(v)
          ? `[${v.map(flow).join(', ')}]`
          : this.render(v);
    const inner = flow(obj).slice(1, -1);
    // Keep the user's padding: insert after the last item, before any space ahead of `}`.
    let at = close;
    while (at > map.range[0] && ' \t'.includes(this.text[at - 1])) at--;
    return { start: at, end: at, text: map.items.length > 0 ? `, ${inner}` : inner, seq };
  }

  private applySplices(): string {
    const all = [...this.splices];
    const step = this.indentStep();
    for (const [map, obj] of this.inserts) {
      if (map.flow) {
        all.push(this.flowInsert(map, obj, all.length));
        continue;
      }
      const first = map.items[0];
      const last = map.items[map.items.length - 1];
      if (!isScalar(first.key) || !first.key.range) throw new NeedsDocumentApi();
      const indent = ' '.repeat(this.col(first.key.range[0]));
      const lastEnd = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range?.[2];
      if (lastEnd === undefined) throw new NeedsDocumentApi();
      // Insert as whole lines after the map's last line, so deleting that last pair cannot overlap.
      let at = this.lineEnd(lastEnd);
      const lines = stringify(obj, { indent: step, lineWidth: 0 }).trimEnd().split('\n');
      let text: string;
      if (at < this.text.length) {
        at += this.eol.length;
        text = lines.map((l) => indent + l + this.eol).join('');
      } else text = lines.map((l) => this.eol + indent + l).join('');
      all.push({ start: at, end: at, text, seq: all.length });
    }
    all.sort((a, b) => b.start - a.start || b.seq - a.seq);
    let out = this.text;
    let floor = Infinity;
    for (const s of all) {
      if (s.end > floor) throw new NeedsDocumentApi(); // overlapping edits
      out = out.slice(0, s.start) + s.text + out.slice(s.end);
      floor = s.start;
    }
    return out;
  }
}
