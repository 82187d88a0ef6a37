// The live view's page, as the collector serves it at GET /: its icon, its content security policy, its HTML and script.

/** The collector's icon: three lines of a log. Served at /favicon.ico and inlined in the page. */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#24598f"/><path d="M4 5h8M4 8h8M4 11h5" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/></svg>';

// img-src data: lets the inline icon in; browsers check a favicon against the page's policy
export const LIVE_VIEW_CSP = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:";

/**
 * The viewer page: filters by level, logger, text and trace (`/?trace=<traceId>`, or a row's trace
 * clicked: the page's records of one action and the Worker's for the request it caused, together);
 * counts per level per minute. Text only, never HTML.
 */
export const LIVE_VIEW_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>isolog live view</title>
<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{display:flex;gap:.6em;align-items:center;padding:.5em 1em;background:#f3f3f3;border-bottom:1px solid #ddd;flex-wrap:wrap}
#records{font:12px/1.35 ui-monospace,monospace;padding:.3em 1em}
.r{white-space:pre-wrap;border-bottom:1px solid #f0f0f0;padding:1px 0}
.t{color:#24598f;text-decoration:underline dotted}
.DEBUG{color:#777}.WARNING{color:#a60}.ERROR,.CRITICAL{color:#c00}.CRITICAL{font-weight:bold}
table{border-collapse:collapse;font-size:12px}td,th{padding:0 .5em;text-align:right}
</style></head><body>
<header><strong>isolog</strong>
<label>level <select id="level"><option value="0">all</option><option value="10">DEBUG+</option><option value="20">INFO+</option><option value="30">WARNING+</option><option value="40">ERROR+</option><option value="50">CRITICAL</option></select></label>
<label>logger <input id="logger" placeholder="app.db" size="14"></label>
<label>search <input id="search" placeholder="text" size="18"></label>
<label>trace <input id="trace" type="search" placeholder="trace id, or its start" size="34" spellcheck="false"></label>
<span id="status">connecting…</span> <span id="shown"></span></header>
<section style="padding:.3em 1em"><form id="levels-form"><strong>levels</strong> <span id="levels">…</span>
<label>logger <input id="level-logger" placeholder="app.db, or root" size="14" required></label>
<select id="level-value"><option>DEBUG</option><option>INFO</option><option selected>WARNING</option><option>ERROR</option><option>CRITICAL</option><option value="">remove</option></select>
<button>set</button> <span id="level-result"></span></form></section>
<section style="padding:.3em 1em"><table id="counts"><thead><tr><th>minute</th><th>DEBUG</th><th>INFO</th><th>WARNING</th><th>ERROR</th><th>CRITICAL</th></tr></thead><tbody></tbody></table></section>
<div id="records"></div>
<script>
const all = [];
const counts = new Map();
const $ = (id) => document.getElementById(id);
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
function bucket(level) { return level >= 50 ? 'CRITICAL' : level >= 40 ? 'ERROR' : level >= 30 ? 'WARNING' : level >= 20 ? 'INFO' : 'DEBUG'; }
function passes(r) {
  const min = Number($('level').value);
  const logger = $('logger').value.trim();
  const q = $('search').value.trim().toLowerCase();
  const trace = $('trace').value.trim().toLowerCase();
  if (r.level < min) return false;
  if (trace && !(typeof r.traceId === 'string' && r.traceId.startsWith(trace))) return false;
  if (logger && r.logger !== logger && !r.logger.startsWith(logger + '.')) return false;
  if (q && !JSON.stringify(r).toLowerCase().includes(q)) return false;
  return true;
}
function line(r) {
  const div = document.createElement('div');
  div.className = 'r ' + bucket(r.level);
  div.dataset.uid = r.uid;
  const attrs = Object.keys(r.attributes || {}).length ? ' ' + JSON.stringify(r.attributes) : '';
  const text = r.time + ' ' + r.levelname.padEnd(8) + ' ' + r.logger + ': ' + r.message + attrs + (r.exception ? '\\n' + r.exception : '');
  if (typeof r.traceId !== 'string') {
    div.textContent = text;
    return div;
  }
  // the trace's first 8 digits, the whole id (and the span) in the title; a click filters by it
  const a = document.createElement('a');
  a.className = 't';
  a.dataset.trace = r.traceId;
  a.href = urlFor(r.traceId);
  a.title = 'trace ' + r.traceId + (r.spanId ? '\\nspan ' + r.spanId : '') + '\\nclick: only this trace';
  a.textContent = r.traceId.slice(0, 8);
  div.append(a, ' ' + text);
  return div;
}
// this page's address with the trace filter set to trace ('' drops it), the token kept: a view to share or reload
function urlFor(trace) {
  const params = new URLSearchParams(location.search);
  if (trace) params.set('trace', trace); else params.delete('trace');
  const query = params.toString();
  return location.pathname + (query ? '?' + query : '');
}
function traceChanged() {
  history.replaceState(null, '', urlFor($('trace').value.trim().toLowerCase()));
  render();
}
function render() {
  const box = $('records');
  box.replaceChildren(...all.filter(passes).slice(-1000).reverse().map(line));
  $('shown').textContent = box.children.length + ' shown of ' + all.length;
}
function renderCounts() {
  const rows = [...counts.entries()].sort((a, b) => b[0].localeCompare(a[0])).slice(0, 10).map(([minute, c]) => {
    const tr = document.createElement('tr');
    for (const v of [minute, ...LEVELS.map((l) => c[l] || 0)]) { const td = document.createElement('td'); td.textContent = v; tr.append(td); }
    return tr;
  });
  $('counts').tBodies[0].replaceChildren(...rows);
}
let pending = false;
function add(r) {
  all.push(r);
  if (all.length > 20000) all.shift();
  const minute = r.time.slice(0, 16).replace('T', ' ');
  const c = counts.get(minute) || {};
  c[bucket(r.level)] = (c[bucket(r.level)] || 0) + 1;
  counts.set(minute, c);
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(); renderCounts(); }); }
}
for (const id of ['level', 'logger', 'search']) $(id).addEventListener('input', render);
$('trace').addEventListener('input', traceChanged);
$('records').addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a.t');
  // a plain click filters here; with a modifier, the link opens as links do
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  $('trace').value = a.dataset.trace;
  traceChanged();
});
$('trace').value = (new URLSearchParams(location.search).get('trace') || '').trim().toLowerCase();
const token = new URLSearchParams(location.search).get('token');
// the levels the collector gives its clients: shown, and set with the form (PUT /v1/levels)
const levelHeaders = { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) };
function showLevels(doc) {
  const names = Object.keys(doc.levels).sort();
  $('levels').textContent = names.length ? names.map((n) => n + '=' + doc.levels[n]).join('  ') : 'none set';
}
fetch('/v1/levels', { headers: levelHeaders }).then((r) => r.ok ? r.json().then(showLevels) : null).catch(() => {});
$('levels-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const logger = $('level-logger').value.trim();
  const value = $('level-value').value;
  try {
    const res = await fetch('/v1/levels', { method: 'PUT', headers: levelHeaders, body: JSON.stringify({ levels: { [logger]: value === '' ? null : value } }) });
    const body = await res.json();
    if (res.ok) { showLevels(body); $('level-result').textContent = 'set (version ' + body.version + ')'; }
    else $('level-result').textContent = 'refused: ' + body.error;
  } catch (err) { $('level-result').textContent = 'could not reach the collector'; }
});
const events = new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
events.onopen = () => { $('status').textContent = 'live'; };
events.onerror = () => { $('status').textContent = 'reconnecting…'; };
events.onmessage = (e) => { try { add(JSON.parse(e.data)); } catch {} };
// a reconnect resumes after the last event; what left the backlog meanwhile is said, not hidden
events.addEventListener('gap', (e) => { try { const g = JSON.parse(e.data); $('status').textContent = 'live (missed ' + (g.missed ?? 'some') + ' records while reconnecting)'; } catch {} });
</script></body></html>`;
