import { build } from 'esbuild';
const code = process.argv[2];
const r = await build({ stdin: { contents: code, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, format: 'esm', write: false, treeShaking: true, platform: 'browser', metafile: true, external: (process.argv[3]||'').split(',').filter(Boolean) });
const out = Object.values(r.metafile.outputs)[0];
const rows = Object.entries(out.inputs).map(([k, v]) => [v.bytesInOutput, k]).sort((a, b) => b[0] - a[0]);
for (const [b, k] of rows) console.log(String(b).padStart(7), k);
console.log('total', out.bytes);
