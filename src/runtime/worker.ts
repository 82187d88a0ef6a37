// The worker bundle's entry (dist/worker.js): exposes the listener to the page through Comlink.
import { expose } from 'comlink';
import { Listener } from '../pipeline/worker/listener.js';

expose(new Listener());
