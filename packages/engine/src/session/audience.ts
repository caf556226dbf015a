import type { Participant } from './participant.ts';

/** At most one audience count per this interval reaches the hosts (a join storm is one message a second). */
export const AUDIENCE_NOTICE_INTERVAL_MS = 1000;

/**
 * How many viewers watch, told to hosts as a number instead of as people: viewers are never
 * announced one by one (a broadcast's audience would flood every host with arrivals, and the
 * host's screen with tiles). Changes are coalesced: the first after a quiet second goes out at
 * once, later ones wait for the rest of the second and go out as one count (or not at all when
 * the count is back where the hosts last saw it).
 */
export class Audience {
	readonly #hosts: () => Iterable<Participant>;
	readonly #intervalMs: number;
	#viewers = 0;
	/** Viewers connected to other hosts of the cluster, by host. */
	readonly #elsewhere = new Map<string, number>();
	/** The count hosts last got. */
	#told = 0;
	#toldAt = Number.NEGATIVE_INFINITY;
	#timer: ReturnType<typeof setTimeout> | undefined;

	/** `hosts`: who gets the count now (read at each send). */
	constructor(hosts: () => Iterable<Participant>, intervalMs = AUDIENCE_NOTICE_INTERVAL_MS) {
		this.#hosts = hosts;
		this.#intervalMs = intervalMs;
	}

	/** Everyone watching, on this host and the others. */
	get viewers(): number {
		let n = this.#viewers;
		for (const v of this.#elsewhere.values()) n += v;
		return n;
	}

	/** Those watching through this host. */
	get local(): number {
		return this.#viewers;
	}

	/** A viewer came (+1) or went (-1). */
	changed(delta: 1 | -1): void {
		this.#viewers = Math.max(0, this.#viewers + delta);
		this.#schedule();
	}

	/** How many watch through another host of the cluster (0 when it is gone). */
	setElsewhere(hostId: string, viewers: number): void {
		if (viewers === 0) this.#elsewhere.delete(hostId);
		else this.#elsewhere.set(hostId, viewers);
		this.#schedule();
	}

	clearElsewhere(): void {
		this.#elsewhere.clear();
		this.#schedule();
	}

	#schedule(): void {
		if (this.#timer) return;
		const wait = this.#toldAt + this.#intervalMs - Date.now();
		if (wait <= 0) {
			this.#flush();
			return;
		}
		this.#timer = setTimeout(() => this.#flush(), wait);
		// A pending count never keeps the process alive; one due after the session ended finds no host to tell.
		this.#timer.unref?.();
	}

	/** A host who just joined learns the count at once (the others already have it). */
	greet(host: Participant): void {
		host.notify({ type: 'audienceChanged', viewers: this.viewers });
	}

	#flush(): void {
		this.#timer = undefined;
		const viewers = this.viewers;
		if (viewers === this.#told) return;
		this.#told = viewers;
		this.#toldAt = Date.now();
		for (const host of this.#hosts()) host.notify({ type: 'audienceChanged', viewers });
	}
}
