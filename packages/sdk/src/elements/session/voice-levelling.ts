import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { normalStep, volumeGain } from './tile-volume.ts';

/** `voice-levelling`: `auto` follows the stimulus profile (on for calm), `on` and `off` decide. */
export const voiceLevellingModes = ['auto', 'on', 'off'] as const;
export type VoiceLevellingMode = (typeof voiceLevellingModes)[number];

/** Reads the attribute or property; absent or empty is `auto`; anything else is a `TypeError`. */
export function parseVoiceLevelling(value: unknown): VoiceLevellingMode {
	if (value === null || value === undefined || value === '') return 'auto';
	if (typeof value === 'string' && (voiceLevellingModes as readonly string[]).includes(value)) return value as VoiceLevellingMode;
	throw new TypeError(`voice-levelling must be one of ${voiceLevellingModes.join(', ')}; got ${JSON.stringify(value)}`);
}

/**
 * The chain's settings. A gentle speech compressor (3:1 from −30 dBFS, soft 12 dB knee) and a
 * limiter behind it (20:1 from −9 dBFS, 1 ms attack) that catches a sudden shout. Browsers' compressor
 * (the same algorithm in Blink, WebKit and Gecko) adds its own make-up gain, which would lift quiet
 * voices and the room noise with them; the trims take it off again (measured in Chromium: +9.6 dB
 * for the compressor, 0.57 × 9 = +5.1 dB for the limiter), so a voice below the threshold plays at
 * the level it was sent and only the loud ones come down. A sine at −6 dBFS then plays at about
 * −17.6 dBFS, one at −30 dBFS at −30 dBFS: a 24 dB difference becomes about 12 dB.
 */
export const levellingSettings = {
	compressor: { threshold: -30, knee: 12, ratio: 3, attack: 0.005, release: 0.25 },
	compressorTrimDb: -9.6,
	limiter: { threshold: -9, knee: 0, ratio: 20, attack: 0.001, release: 0.1 },
	limiterTrimDb: -5.1,
} as const;

/** One remote voice as the listener hears it now (`outputLevels()`). */
export interface VoiceOutputLevel {
	participantId: string;
	/** RMS level in dBFS over the last ~40 ms; `-Infinity` for silence. */
	dbfs: number;
	/** Through the levelling chain (true) or the plain `<audio>` element (false). */
	levelled: boolean;
	/** The listener's volume for this person (0–1) that the level includes. */
	volume: number;
}

/** A remote voice the room plays: whose, and its track. */
interface Voice {
	participantId: string;
	track: MediaStreamTrack;
}

/** Someone else in the room as the roster holds them (their microphone's track, if any). */
export interface RemoteVoice {
	participantId: string;
	audio: MediaStreamTrack | undefined;
}

interface Chain {
	participantId: string;
	source: MediaStreamAudioSourceNode;
	nodes: AudioNode[];
	volume: GainNode;
	/** The volume last asked of `volume` (a new glide only when it changes). */
	gain: number;
	tap: AnalyserNode;
}

type Host = ReactiveControllerHost &
	HTMLElement & { readonly renderRoot: ParentNode; requestUpdate(name?: PropertyKey, oldValue?: unknown): void };

const dbToGain = (db: number) => 10 ** (db / 20);

/**
 * Plays remote voices through a gentle compressor and limiter, then the listener's volume per
 * person, when levelling is wanted; otherwise the `<audio>` elements play as before (their
 * `volume` set to the listener's choice). Only remote tracks ever enter: never this person's own
 * microphone, so nothing can feed back.
 *
 * One `AudioContext` for all voices, made (or resumed) in the join click (`unlock()`), the
 * autoplay policy's user gesture; until it runs, the plain elements play, so nobody is ever silent.
 * Chromium delivers a remote WebRTC track to Web Audio only while a media element plays it, so
 * the `<audio>` elements stay, muted, while the chain sounds.
 */
export class VoiceLevelling implements ReactiveController {
	readonly #host: Host;
	readonly #calm: () => boolean;
	readonly #members: () => readonly RemoteVoice[];
	#mode: VoiceLevellingMode = 'auto';
	#ctx: AudioContext | undefined;
	/** Levelling chains by track ID. */
	readonly #chains = new Map<string, Chain>();
	/** Read-only taps on plain voices (for `levels()`), by track ID. */
	readonly #taps = new Map<string, { source: MediaStreamAudioSourceNode; tap: AnalyserNode }>();
	/** The listener's volume step per person; kept across reconnects and track changes. */
	readonly #steps = new Map<string, number>();
	readonly #resume = () => {
		if (this.#ctx?.state === 'suspended') void this.#ctx.resume();
	};

	/** `calm()`: the stimulus profile is calm (levelling on for `auto`); `members()`: the others in the room. */
	constructor(host: Host, opts: { calm(): boolean; members(): readonly RemoteVoice[] }) {
		this.#host = host;
		this.#calm = opts.calm;
		this.#members = opts.members;
		host.addController(this);
	}

	/** The element's `voiceLevelling`: a bad value is a `TypeError` and changes nothing. */
	get mode(): VoiceLevellingMode {
		return this.#mode;
	}
	set mode(value: VoiceLevellingMode) {
		const old = this.#mode;
		this.#mode = parseVoiceLevelling(value);
		this.#host.requestUpdate('voiceLevelling', old);
	}

	#voices(): Voice[] {
		return this.#members().flatMap((m) => (m.audio ? [{ participantId: m.participantId, track: m.audio }] : []));
	}

	#wanted(): boolean {
		return this.#mode === 'on' || (this.#mode === 'auto' && this.#calm());
	}

	/** The chain is sounding: levelling wanted and the audio context running. */
	get active(): boolean {
		return this.#wanted() && this.#ctx?.state === 'running';
	}

	/** The volume step for this person (see `tile-volume.ts`). */
	step(participantId: string): number | undefined {
		return this.#steps.get(participantId);
	}

	setStep(participantId: string, step: number): void {
		if (!Number.isInteger(step) || step < 0 || step > normalStep)
			throw new RangeError(`volume step must be 0-${normalStep}; got ${step}`);
		this.#steps.set(participantId, step);
		this.#host.requestUpdate();
	}

	/** In a user gesture (the join click): makes or resumes the context so sound may start. */
	unlock(): void {
		if (!this.#wanted()) return;
		this.#context()
			?.resume()
			.catch(() => undefined);
	}

	hostConnected(): void {
		// A context made without a gesture (join() from script) starts on the next press in the element.
		this.#host.addEventListener('pointerdown', this.#resume);
		this.#host.addEventListener('keydown', this.#resume);
	}

	hostDisconnected(): void {
		this.#host.removeEventListener('pointerdown', this.#resume);
		this.#host.removeEventListener('keydown', this.#resume);
		for (const id of [...this.#chains.keys()]) this.#dropChain(id);
		for (const id of [...this.#taps.keys()]) this.#dropTap(id);
		void this.#ctx?.close().catch(() => undefined);
		this.#ctx = undefined;
	}

	hostUpdated(): void {
		const voices = this.#voices();
		if (this.#wanted() && voices.length > 0) this.#context();
		const active = this.active;
		const byTrack = new Map(voices.map((v) => [v.track.id, v]));
		for (const el of this.#host.renderRoot.querySelectorAll<HTMLAudioElement>('audio[data-track]')) {
			const voice = byTrack.get(el.dataset.track ?? '');
			if (!voice) continue;
			// Muted only while the chain sounds; the element keeps the remote track flowing.
			el.muted = active;
			el.volume = active ? 1 : volumeGain(this.#steps.get(voice.participantId));
		}
		for (const id of [...this.#chains.keys()]) if (!active || !byTrack.has(id)) this.#dropChain(id);
		for (const id of [...this.#taps.keys()]) if (active || !byTrack.has(id)) this.#dropTap(id);
		if (!active) return;
		for (const v of voices) {
			const chain = this.#chains.get(v.track.id) ?? this.#chain(v);
			if (!chain) continue;
			const gain = volumeGain(this.#steps.get(v.participantId));
			if (gain === chain.gain) continue;
			// A short glide, so a step is no click.
			chain.volume.gain.setTargetAtTime(gain, this.#ctx!.currentTime, 0.03);
			chain.gain = gain;
		}
	}

	/** Each remote voice's level as the listener hears it now (diagnostics and tests). */
	levels(): VoiceOutputLevel[] {
		const active = this.active;
		const out: VoiceOutputLevel[] = [];
		for (const v of this.#voices()) {
			const volume = volumeGain(this.#steps.get(v.participantId));
			if (active) {
				// A chain not made yet (the next update makes it) has nothing to tell.
				const chain = this.#chains.get(v.track.id);
				if (chain) out.push({ participantId: v.participantId, dbfs: rmsDb(chain.tap), levelled: true, volume });
				continue;
			}
			// Plain: what the <audio> element plays, at its volume (it scales linearly).
			const tap = this.#taps.get(v.track.id)?.tap ?? this.#plainTap(v);
			if (!tap) continue;
			out.push({ participantId: v.participantId, dbfs: rmsDb(tap) + 20 * Math.log10(volume), levelled: false, volume });
		}
		return out;
	}

	#context(): AudioContext | undefined {
		if (this.#ctx) return this.#ctx;
		try {
			this.#ctx = new AudioContext({ latencyHint: 'interactive' });
		} catch {
			// No Web Audio: the elements play as before.
			return undefined;
		}
		this.#ctx.addEventListener('statechange', () => this.#host.requestUpdate());
		return this.#ctx;
	}

	#chain(v: Voice): Chain | undefined {
		const ctx = this.#ctx;
		if (!ctx) return undefined;
		const s = levellingSettings;
		const source = ctx.createMediaStreamSource(new MediaStream([v.track]));
		const compressor = new DynamicsCompressorNode(ctx, s.compressor);
		const compressorTrim = new GainNode(ctx, { gain: dbToGain(s.compressorTrimDb) });
		const limiter = new DynamicsCompressorNode(ctx, s.limiter);
		const limiterTrim = new GainNode(ctx, { gain: dbToGain(s.limiterTrimDb) });
		const gain = volumeGain(this.#steps.get(v.participantId));
		const volume = new GainNode(ctx, { gain });
		const tap = new AnalyserNode(ctx, { fftSize: 2048 });
		source.connect(compressor).connect(compressorTrim).connect(limiter).connect(limiterTrim).connect(volume);
		volume.connect(ctx.destination);
		volume.connect(tap);
		const chain = {
			participantId: v.participantId,
			source,
			nodes: [compressor, compressorTrim, limiter, limiterTrim, volume, tap],
			volume,
			gain,
			tap,
		};
		this.#chains.set(v.track.id, chain);
		return chain;
	}

	#plainTap(v: Voice): AnalyserNode | undefined {
		const ctx = this.#context();
		if (!ctx) return undefined;
		const source = ctx.createMediaStreamSource(new MediaStream([v.track]));
		const tap = new AnalyserNode(ctx, { fftSize: 2048 });
		// Read only: nothing goes to the speakers from here.
		source.connect(tap);
		this.#taps.set(v.track.id, { source, tap });
		return tap;
	}

	#dropChain(trackId: string): void {
		const chain = this.#chains.get(trackId);
		if (!chain) return;
		chain.source.disconnect();
		for (const n of chain.nodes) n.disconnect();
		this.#chains.delete(trackId);
	}

	#dropTap(trackId: string): void {
		const t = this.#taps.get(trackId);
		if (!t) return;
		t.source.disconnect();
		t.tap.disconnect();
		this.#taps.delete(trackId);
	}
}

function rmsDb(tap: AnalyserNode): number {
	const buf = new Float32Array(tap.fftSize);
	tap.getFloatTimeDomainData(buf);
	let sum = 0;
	for (const x of buf) sum += x * x;
	return 10 * Math.log10(sum / buf.length);
}
