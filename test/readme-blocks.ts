// The README's code blocks, as the README tests read them: each fenced block with the marker comment
// right above it (`<!-- example: node -->`, `<!-- output: node -->`, ...). A block without a marker
// is an error, so that no example is added without a test that runs it.
import { readFileSync } from 'node:fs';

export interface ReadmeBlock {
  /** `example`, `output` or `shown` (a synopsis or sample that no test can run as it is). */
  kind: string;
  /** What the marker names after the colon: `node`, `browser`, `ndjson`, … */
  name: string;
  lang: string;
  code: string;
  line: number;
}

export const README_PATH = new URL('../README.md', import.meta.url).pathname;

export function readmeBlocks(text = readFileSync(README_PATH, 'utf8')): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    let above = start - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = /^<!-- (example|output|shown): ([\w-]+)(?: .*)? -->$/.exec(lines[above] ?? '');
    if (!marker) throw new Error(`README.md:${start + 1}: a code block without a marker comment (<!-- example: NAME -->, <!-- output: NAME --> or <!-- shown: NAME reason -->) above it`);
    blocks.push({ kind: marker[1], name: marker[2], lang: open[1], code: body.join('\n') + '\n', line: start + 1 });
  }
  return blocks;
}

/** The one block of this kind and name; throws if there is none or several. */
export function readmeBlock(kind: string, name: string): ReadmeBlock {
  const found = readmeBlocks().filter((b) => b.kind === kind && b.name === name);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} blocks marked <!-- ${kind}: ${name} -->, expected one`);
  return found[0];
}
