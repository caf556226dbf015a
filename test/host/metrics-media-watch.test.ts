import { EventEmitter } from 'node:events';
import type { Engine } from '@luwte/engine';
import { MediaWatch } from '../../apps/host-web/src/metrics/media-watch.ts';
import { describe, expect, it } from 'vitest';

/** Just enough of a mediasoup object: its observer. */
const observed = <T extends object>(fields: T) => ({ ...fields, observer: new EventEmitter(), closed: false });

// The counting from mediasoup's observer events, step by step (the real host test sees only totals).
describe('MediaWatch: transports, consumers and layer switches from observer events', () => {
	it('counts what opens and closes per worker, and layer changes the way the ABR driver does', () => {
		const worker = observed({ pid: 1 });
		const engineEvents = new EventEmitter();
		const engine = {
			workers: { slots: [{ index: 0, worker }] },
			events: { on: (name: string, fn: (e: unknown) => void) => engineEvents.on(name, fn) },
		} as unknown as Engine;
		const switches: string[] = [];
		const watch = new MediaWatch(engine, (kind) => switches.push(kind));

		const router = observed({});
		worker.observer.emit('newrouter', router);
		const transport = observed({});
		router.observer.emit('newtransport', transport);
		const consumer = observed({ type: 'simulcast' });
		const audio = observed({ type: 'simple' });
		transport.observer.emit('newconsumer', consumer);
		transport.observer.emit('newconsumer', audio);
		expect(watch.workers().map((w) => [w.index, w.transports.size, w.consumers.size])).toEqual([[0, 1, 2]]);

		const layers = (spatialLayer: number, temporalLayer: number) =>
			consumer.observer.emit('layerschange', { spatialLayer, temporalLayer });
		layers(0, 0); // the first layer: no switch
		layers(1, 0); // resolution up
		layers(1, 2); // frame rate only
		consumer.observer.emit('layerschange', undefined); // paused: no switch
		layers(1, 2); // back on the same layer: no switch
		layers(0, 2); // resolution down
		expect(switches).toEqual(['spatial', 'temporal', 'spatial']);

		consumer.observer.emit('close');
		expect(watch.workers()[0]!.consumers.size).toBe(1);
		transport.observer.emit('close');
		expect(watch.workers()[0]!.transports.size).toBe(0);

		// A dead worker is forgotten; its replacement is followed from empty.
		engineEvents.emit('worker.died', { workerIndex: 0 });
		expect(watch.workers()).toEqual([]);
		const replacement = observed({ pid: 2 });
		(engine.workers as unknown as { slots: unknown[] }).slots = [{ index: 0, worker: replacement }];
		engineEvents.emit('worker.replaced', { workerIndex: 0 });
		expect(watch.workers().map((w) => [w.index, w.worker, w.transports.size])).toEqual([[0, replacement, 0]]);
	});
});
