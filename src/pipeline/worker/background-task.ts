// A turn of the worker's event loop behind what is already queued: the page's messages (its puts)
// and IndexedDB's events go first. The flusher waits for one between the slices of its work.

/**
 * Resolves in a later task: a background-priority task where Prioritized Task Scheduling exists
 * (`scheduler.postTask`, Chromium 94+, Firefox 142+: it runs after every waiting task of higher
 * priority, with no clamp), else a timer, which runs after the messages already queued.
 * @example await backgroundTask()
 */
export function backgroundTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { postTask(task: () => void, options: { priority: string }): Promise<void> } }).scheduler;
  return scheduler?.postTask ? scheduler.postTask(() => undefined, { priority: 'background' }) : new Promise((resolve) => setTimeout(resolve));
}
