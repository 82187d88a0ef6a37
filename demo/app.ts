// The demo page: isolog's core in the browser, logging to DevTools through ConsoleHandler.
// (The worker pipeline and collector replace the console here once they land.)
import { ConsoleHandler, Formatter, getLogger, INFO, extra } from '../src/index.js';

const root = getLogger();
const console_ = new ConsoleHandler();
console_.setFormatter(new Formatter('%(asctime)s %(name)-10s %(levelname)-8s %(message)s', '%H:%M:%S'));
root.addHandler(console_);
root.setLevel(INFO);

const log = getLogger('demo.ui');
const out = document.querySelector('#out') as HTMLElement;
let clicks = 0;

document.querySelector('#log')?.addEventListener('click', () => {
  clicks++;
  log.info('button clicked %d time%s', clicks, clicks === 1 ? '' : 's', extra({ clicks }));
  out.textContent = `Logged ${clicks} record(s); open DevTools to see them.`;
});
document.querySelector('#fail')?.addEventListener('click', () => {
  log.error('checkout failed', new Error('card declined', { cause: new Error('HTTP 402') }));
});
log.info('demo loaded');
