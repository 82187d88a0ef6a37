// The WebSocket transport: one OTLP request per message with a batch id, answered by an ack from
// the collector. Reconnects with backoff; a batch whose ack never came is reported as a network
// failure, so the flusher sends it again (the collector drops the duplicates).
//
// A chunk of its own beside dist/worker.js (the listener imports it only for the WebSocket
// transport): what it shares with the fetch transport is given to it, so that none of that code
// moves out of worker.js into a chunk both would load.
import type { backoffMs } from './delivery.js';
import type { partialSuccessOf, SendResult } from './http.js';

/** What the sender uses of the fetch transport's modules: delivery.ts's backoffMs, http.ts's partialSuccessOf. */
export interface WebSocketTools { backoffMs: typeof backoffMs; partialSuccessOf: typeof partialSuccessOf }

interface Waiting { resolve: (r: SendResult) => void; timer: ReturnType<typeof setTimeout> }

export class WebSocketSender {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private readonly waiting = new Map<string, Waiting>();
  private seq = 0;
  private failures = 0;
  private closed = false;

  constructor(private readonly url: string, private readonly token: string | undefined, private readonly tools: WebSocketTools,
    private readonly timeoutMs = 30_000) {}

  private open(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const target = new URL(this.url);
      if (this.token) target.searchParams.set('token', this.token);
      const ws = new WebSocket(target);
      ws.onopen = () => { this.failures = 0; this.socket = ws; this.opening = null; resolve(ws); };
      ws.onerror = () => { /* onclose follows */ };
      ws.onclose = () => {
        if (this.socket === ws) this.socket = null;
        if (this.opening) { this.opening = null; this.failures++; reject(new Error('WebSocket closed before it opened')); }
        // every batch still waiting for its ack is sent again by the flusher
        for (const [id, w] of this.waiting) { clearTimeout(w.timer); w.resolve({ status: null, retryAfter: null, error: 'WebSocket closed before the ack' }); this.waiting.delete(id); }
      };
      ws.onmessage = (event) => this.onAnswer(event.data);
    });
    return this.opening;
  }

  private onAnswer(data: unknown): void {
    let answer: { ack?: unknown; nack?: unknown; status?: number; retryAfterMs?: number; error?: string; partialSuccess?: unknown };
    try { answer = JSON.parse(String(data)); } catch { return; }
    const retryAfter = answer.retryAfterMs ? String(Math.ceil(answer.retryAfterMs / 1000)) : null;
    if (answer.nack === null) return this.failAll(answer.status, retryAfter, answer.error);
    const id = String(answer.ack ?? answer.nack ?? '');
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (answer.ack !== undefined) w.resolve({ status: 200, retryAfter: null, ...this.tools.partialSuccessOf(answer) });
    else w.resolve({ status: answer.status ?? 400, retryAfter, error: answer.error });
  }

  /**
   * A nack that names no batch (a collector that could not read the id) may be for any batch this
   * socket is waiting on: each is failed now rather than at its ack timeout, and sent again. Only
   * 429 and 5xx keep their status (and Retry-After): a 400 or 413 would have the flusher split or
   * drop batches that were never refused.
   */
  private failAll(status: number | undefined, retryAfter: string | null, error: string | undefined): void {
    const kept = status === 429 || (status !== undefined && status >= 500) ? status : null;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      w.resolve({ status: kept, retryAfter, error: `nack without a batch id: ${error ?? `status ${status}`}` });
    }
  }

  /** Sends one request and resolves with the collector's answer as an HTTP-like status. */
  async send(body: string): Promise<SendResult> {
    if (this.closed) return { status: null, retryAfter: null, error: 'transport closed' };
    let ws: WebSocket;
    try {
      ws = await this.open();
    } catch (err) {
      await new Promise((r) => setTimeout(r, Math.min(5000, this.tools.backoffMs(this.failures, 200))));
      return { status: null, retryAfter: null, error: String(err) };
    }
    const id = `${Date.now().toString(36)}-${this.seq++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(id); resolve({ status: null, retryAfter: null, error: 'no ack in time' }); }, this.timeoutMs);
      this.waiting.set(id, { resolve, timer });
      ws.send(`{"batchId":${JSON.stringify(id)},${body.slice(1)}`);
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}
