/** Reads the documents of `ferryctl apply -f`: multi-document YAML, or JSON, with positions for errors. */
import { parseAllDocuments } from 'yaml';

export interface InputDocument {
  /** 1-based position in the input. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  value: unknown;
}

export class DocumentError extends Error {}

function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

export function readDocuments(text: string, source: string): InputDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const out: InputDocument[] = [];
  const problems: string[] = [];
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    for (const err of doc.errors) {
      const { line, col } = positionOf(text, err.pos[0]);
      const where = `line ${line}, column ${col}`;
      problems.push(`${source}: document ${i + 1}: ${where}: ${err.message.split('\n')[0]}`);
    }
    if (doc.errors.length > 0) return;
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
    out.push({ index: i + 1, line: lineOf(doc.range[0]), value });
  });
  if (problems.length > 0) throw new DocumentError(problems.join('\n'));
  if (out.length === 0) throw new DocumentError(`${source}: no resources found`);
  return out;
}
