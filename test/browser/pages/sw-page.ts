// The page of the service-worker tests: registers /pipeline-sw.js and sends it commands.
declare global {
  interface Window {
    swTest: {
      /** Registers the test Service Worker with `query` and waits until it controls this page. */
      register(query: string): Promise<void>;
      /** One command to the active Service Worker (pages/pipeline-sw.ts), answered on a port. */
      command(test: Record<string, unknown>): Promise<unknown>;
    };
  }
}

window.swTest = {
  async register(query) {
    await navigator.serviceWorker.register(`/pipeline-sw.js?${query}`, { type: 'module', scope: '/' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  },
  async command(test) {
    const registration = await navigator.serviceWorker.ready;
    return new Promise((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => (event.data.error ? reject(new Error(event.data.error)) : resolve(event.data.value));
      (registration.active as ServiceWorker).postMessage({ test }, [channel.port2]);
    });
  },
};

export {};
