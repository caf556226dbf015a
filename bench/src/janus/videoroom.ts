/**
 * A minimal Janus VideoRoom client over the plain-HTTP API (one Janus session, one long-poll loop
 * for its events) with @roamhq/wrtc peer connections, the same WebRTC stack the bench uses
 * against mediasoup (test/helpers/wrtc-media.ts). Non-trickle: offers and answers carry all
 * candidates, as gathering on one interface is instant.
 */
import wrtc from '@roamhq/wrtc';
import { JanusError } from './server.ts';

type Event = {
	janus: string;
	sender?: number;
	jsep?: { type: 'offer' | 'answer'; sdp: string };
	plugindata?: { data?: Record<string, unknown> };
};

/** One long-poll answer can hold this many events. */
const maxEvents = 20;

export class JanusSession {
	readonly #api: string;
	#id = 0;
	#tx = 0;
	#polling = false;
	#waiters: { pred: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
	#poller: Promise<void> | undefined;

	constructor(apiUrl: string) {
		this.#api = apiUrl;
	}

	async #post(path: string, body: Record<string, unknown>): Promise<any> {
		const res = await fetch(`${this.#api}${path}`, {
			method: 'POST',
			body: JSON.stringify({ transaction: `t${++this.#tx}`, ...body }),
			signal: AbortSignal.timeout(15_000),
		});
		const json = (await res.json()) as any;
		if (json.janus === 'error') throw new JanusError(`janus: ${json.error?.code} ${json.error?.reason}`);
		return json;
	}

	async open(): Promise<void> {
		this.#id = (await this.#post('', { janus: 'create' })).data.id;
		this.#polling = true;
		this.#poller = this.#poll();
	}

	async #poll(): Promise<void> {
		while (this.#polling) {
			try {
				const res = await fetch(`${this.#api}/${this.#id}?maxev=${maxEvents}`, { signal: AbortSignal.timeout(40_000) });
				const events = ([] as Event[]).concat((await res.json()) as Event | Event[]);
				for (const ev of events) {
					const i = this.#waiters.findIndex((w) => w.pred(ev));
					if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(ev);
				}
			} catch {
				if (this.#polling) await new Promise((r) => setTimeout(r, 100));
			}
		}
	}

	/** The next event matching `pred`, or a JanusError after `ms`. */
	event(pred: (e: Event) => boolean, ms = 15_000): Promise<Event> {
		return new Promise((resolve, reject) => {
			const w = {
				pred,
				resolve: (e: Event) => {
					clearTimeout(timer);
					resolve(e);
				},
			};
			const timer = setTimeout(() => {
				this.#waiters.splice(this.#waiters.indexOf(w), 1);
				reject(new JanusError('janus: no matching event in time'));
			}, ms);
			this.#waiters.push(w);
		});
	}

	async attach(): Promise<number> {
		return (await this.#post(`/${this.#id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
	}

	/** A plugin message; synchronous requests (create, list) answer with `plugindata` at once. */
	message(handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<any> {
		return this.#post(`/${this.#id}/${handle}`, { janus: 'message', body, ...(jsep ? { jsep } : {}) });
	}

	async close(): Promise<void> {
		this.#polling = false;
		await this.#post(`/${this.#id}`, { janus: 'destroy' }).catch(() => undefined);
		await this.#poller;
	}
}

function gathered(pc: RTCPeerConnection, ms = 10_000): Promise<void> {
	return new Promise((resolve, reject) => {
		if (pc.iceGatheringState === 'complete') return resolve();
		const timer = setTimeout(() => reject(new JanusError('ICE gathering did not complete')), ms);
		pc.addEventListener('icegatheringstatechange', () => {
			if (pc.iceGatheringState === 'complete') {
				clearTimeout(timer);
				resolve();
			}
		});
	});
}

/** Creates a VP8/Opus room for one publisher (no secret, not saved to the config). */
export async function createRoom(s: JanusSession, handle: number, room: number, bitrate = 1_000_000): Promise<void> {
	const r = await s.message(handle, {
		request: 'create',
		room,
		publishers: 1,
		bitrate,
		videocodec: 'vp8',
		audiocodec: 'opus',
		permanent: false,
	});
	const data = r.plugindata?.data;
	if (data?.videoroom !== 'created') throw new JanusError(`room create: ${JSON.stringify(data)}`);
}

/** Joins `room` as its publisher with the given tracks; resolves once Janus says WebRTC is up. */
export async function publish(
	s: JanusSession,
	room: number,
	tracks: MediaStreamTrack[],
): Promise<{ feedId: number; pc: RTCPeerConnection }> {
	const handle = await s.attach();
	const joined = s.event((e) => e.sender === handle && e.plugindata?.data?.videoroom === 'joined');
	await s.message(handle, { request: 'join', ptype: 'publisher', room, display: 'bench-pub' });
	const feedId = (await joined).plugindata?.data?.id as number;
	const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as RTCPeerConnection;
	for (const t of tracks) pc.addTransceiver(t, { direction: 'sendonly' });
	await pc.setLocalDescription(await pc.createOffer());
	await gathered(pc);
	const answer = s.event((e) => e.sender === handle && e.jsep?.type === 'answer');
	const up = s.event((e) => e.sender === handle && e.janus === 'webrtcup');
	await s.message(handle, { request: 'publish', audio: true, video: true }, { type: 'offer', sdp: pc.localDescription?.sdp ?? '' });
	const jsep = (await answer).jsep;
	if (!jsep) throw new JanusError('publish: no answer');
	await pc.setRemoteDescription(jsep);
	// Subscribing before this gives "No such feed".
	await up;
	return { feedId, pc };
}

/** Subscribes to `feedId`; resolves once Janus says the subscriber's WebRTC is up. */
export async function subscribe(s: JanusSession, room: number, feedId: number): Promise<RTCPeerConnection> {
	const handle = await s.attach();
	const offered = s.event((e) => e.sender === handle && e.jsep?.type === 'offer');
	await s.message(handle, { request: 'join', ptype: 'subscriber', room, streams: [{ feed: feedId }] });
	const offer = (await offered).jsep;
	if (!offer) throw new JanusError('subscribe: no offer');
	const pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as unknown as RTCPeerConnection;
	await pc.setRemoteDescription(offer);
	await pc.setLocalDescription(await pc.createAnswer());
	await gathered(pc);
	const up = s.event((e) => e.sender === handle && e.janus === 'webrtcup');
	await s.message(handle, { request: 'start', room }, { type: 'answer', sdp: pc.localDescription?.sdp ?? '' });
	await up;
	return pc;
}

/** Bytes and packets received and packets lost over all inbound RTP streams of `pc`. */
export async function inbound(pc: RTCPeerConnection): Promise<{ bytes: number; packets: number; lost: number }> {
	const out = { bytes: 0, packets: 0, lost: 0 };
	const stats = await pc.getStats();
	stats.forEach((s: any) => {
		if (s.type !== 'inbound-rtp') return;
		out.bytes += s.bytesReceived ?? 0;
		out.packets += s.packetsReceived ?? 0;
		out.lost += s.packetsLost ?? 0;
	});
	return out;
}
