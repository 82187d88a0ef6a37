// The live view: GET / serves a page; GET /events streams every stored record as server-sent events.
import type { ServerResponse } from 'node:http';
import { Handler } from '../core/handler.js';
import { JsonFormatter } from '../core/json-formatter.js';
import type { LogRecord } from '../core/record.js';

// a new viewer gets the newest records: at most this many, and at most this much of their text.
// Records are kept as the events they become, never as LogRecords: a record can hold fields of
// megabytes, of which JsonFormatter keeps at most 262,144 characters
const BACKLOG_RECORDS = 500;
const BACKLOG_BYTES = 2 * 1024 * 1024;
// what may wait for one viewer, the backlog included; past it the viewer is cut off (EventSource
// reconnects, and starts again from the backlog). Above the 5 MiB body limit, so that a viewer that
// reads is not cut off by one request's records. The events are the same strings for every viewer:
// together the viewers hold the newest 8 MiB of events at most
const VIEWER_BUFFER = 8 * 1024 * 1024;
// what a viewer's socket is given at a time; the rest waits in its queue until the socket drains
const SOCKET_SHARE = 1024 * 1024;
// this many viewers at most, 503 beyond
export const MAX_VIEWERS = 32;

interface LiveEvent { text: string; bytes: number }

/** One connected viewer: its events wait here and go to the socket only as fast as it takes them. */
class Viewer {
  private readonly queue: LiveEvent[];
  private head = 0;
  private queued = 0;

  constructor(readonly res: ServerResponse, backlog: readonly LiveEvent[]) {
    this.queue = backlog.slice();
    for (const event of backlog) this.queued += event.bytes;
    res.on('drain', () => this.pump());
    this.pump();
  }

  /** Queues one event; false when the viewer is too far behind to keep. */
  push(event: LiveEvent): boolean {
    this.queue.push(event);
    this.queued += event.bytes;
    if (this.queued + this.res.writableLength > VIEWER_BUFFER) return false;
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.head < this.queue.length && this.res.writableLength < SOCKET_SHARE) {
      const event = this.queue[this.head++];
      this.queued -= event.bytes;
      this.res.write(event.text);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** A handler that sends each record to the connected viewers, and keeps the last few for new ones. */
export class LiveViewHandler extends Handler {
  private readonly viewers = new Set<Viewer>();
  private readonly backlog: LiveEvent[] = [];
  private backlogBytes = 0;
  private readonly json = new JsonFormatter();
  private unformatted: LogRecord[] = [];

  attach(res: ServerResponse): void {
    if (this.viewers.size >= MAX_VIEWERS) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
      res.end(JSON.stringify({ error: `the live view has ${MAX_VIEWERS} viewers already; close one and reload` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': isolog live view\n\n');
    const viewer = new Viewer(res, this.backlog);
    this.viewers.add(viewer);
    res.on('close', () => this.viewers.delete(viewer));
  }

  emit(record: LogRecord): void {
    if (this.viewers.size === 0) {
      // no one watches: of this turn's records only the newest few can stay in the backlog, and
      // only they are formatted, once the turn has handed over all of them (half the collector's
      // CPU per record went to formatting events that the next ones pushed out)
      if (this.unformatted.length === 0) queueMicrotask(this.formatUnformatted);
      this.unformatted.push(record);
      if (this.unformatted.length >= 2 * BACKLOG_RECORDS) this.unformatted.splice(0, this.unformatted.length - BACKLOG_RECORDS);
      return;
    }
    this.formatUnformatted();
    this.add(record);
  }

  /** This turn's records that no viewer has seen yet, to the backlog. */
  private readonly formatUnformatted = (): void => {
    const records = this.unformatted;
    if (records.length === 0) return;
    this.unformatted = [];
    for (const record of records.slice(-BACKLOG_RECORDS)) {
      try {
        this.add(record);
      } catch (err) {
        this.handleError(record, err);
      }
    }
  };

  private add(record: LogRecord): void {
    const text = `data: ${this.json.format(record)}\n\n`;
    const event = { text, bytes: Buffer.byteLength(text) };
    this.backlog.push(event);
    this.backlogBytes += event.bytes;
    while (this.backlog.length > BACKLOG_RECORDS || this.backlogBytes > BACKLOG_BYTES) {
      this.backlogBytes -= (this.backlog.shift() as LiveEvent).bytes;
    }
    for (const viewer of this.viewers) {
      if (viewer.push(event)) continue;
      this.viewers.delete(viewer);
      viewer.res.destroy();
    }
  }

  override close(): void {
    for (const viewer of this.viewers) viewer.res.end();
    this.viewers.clear();
    super.close();
  }
}

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
const events = new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
events.onopen = () => { $('status').textContent = 'live'; };
events.onerror = () => { $('status').textContent = 'reconnecting…'; };
events.onmessage = (e) => { try { add(JSON.parse(e.data)); } catch {} };
</script></body></html>`;
