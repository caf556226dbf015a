import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { notStartedOf, openingDelayMs, SignalError, type NotStarted } from '../../client/index.ts';
import { dispatchLuwteEvent, type LuwteEndReason } from '../events.ts';
import { startText, type Texts } from '../i18n.ts';

/**
 * Waiting for a session that has not started: one timer to its join window (capped, so it
 * re-checks every few minutes), then `retry`. Stops when the element leaves the page; when it
 * comes back while waiting, it asks again at once.
 */
export class OpeningWait implements ReactiveController {
	readonly #retry: () => void;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#active = false;
	/** Refusals in a row that came when this device's clock said the window was open. */
	#refusals = 0;

	constructor(host: ReactiveControllerHost, retry: () => void) {
		this.#retry = retry;
		host.addController(this);
	}

	/** The server said "not yet": wait for `window` (unknown: re-check after the cap). */
	refused(window: NotStarted | undefined): void {
		const early = window !== undefined && Date.parse(window.opensAt) > Date.now();
		this.#refusals = early ? 0 : this.#refusals + 1;
		this.#active = true;
		this.#arm(openingDelayMs(window?.opensAt, Date.now(), this.#refusals));
	}

	/** In, or given up: no more retries. */
	cancel(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#active = false;
		this.#refusals = 0;
	}

	hostConnected(): void {
		if (this.#active && this.#timer === undefined) this.#arm(0);
	}

	hostDisconnected(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#arm(delayMs: number): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = undefined;
			this.#retry();
		}, delayMs);
	}
}

/**
 * "De activiteit stopt over ongeveer N minuten": the minutes are counted down once a minute, on
 * the element's one status line, only while that line still says it (another message may have
 * taken its place). Never below one minute; the end itself comes as `sessionEnded`.
 */
export class EndingNotice implements ReactiveController {
	readonly #text: (minutes: number) => string;
	readonly #message: { get(): string; set(message: string): void };
	#timer: ReturnType<typeof setInterval> | undefined;
	#endsAt = 0;
	#shown = '';

	constructor(host: ReactiveControllerHost, text: (minutes: number) => string, message: { get(): string; set(message: string): void }) {
		this.#text = text;
		this.#message = message;
		host.addController(this);
	}

	/** Shows the notice; returns the minutes it says. */
	show(endsAt: string): number {
		this.clear();
		const at = Date.parse(endsAt);
		this.#endsAt = Number.isNaN(at) ? Date.now() : at;
		const minutes = this.#say();
		this.#timer = setInterval(() => {
			if (this.#message.get() !== this.#shown) this.clear();
			else this.#say();
		}, 60_000);
		return minutes;
	}

	clear(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		if (this.#shown && this.#message.get() === this.#shown) this.#message.set('');
		this.#shown = '';
	}

	hostDisconnected(): void {
		this.clear();
	}

	#say(): number {
		const minutes = Math.max(1, Math.round((this.#endsAt - Date.now()) / 60_000));
		this.#shown = this.#text(minutes);
		this.#message.set(this.#shown);
		return minutes;
	}
}

/** What `ActivityStates` needs of the element. */
export interface ActivityStatesOptions {
	texts(): Texts;
	lang(): string;
	/** The element's one status line. */
	message: { get(): string; set(message: string): void };
	/** Out of the room into `phase`, saying `message`. */
	out(phase: 'waiting' | 'ended' | 'cancelled' | 'gone', message: string): void;
	/** For good: stop the client, the camera and the microphone. */
	close(): void;
	/** One more try to join (the join window should be open now). */
	retry(): void;
}

const END_REASONS: readonly string[] = ['ended', 'idle', 'overdue', 'engine-closed'] satisfies LuwteEndReason[];

/**
 * The activity's own states as this person meets them, each said in plain words and told to the
 * page as an event: not started yet (wait for the join window, then join by itself), stopping
 * soon, over, cancelled, gone. The last three are final.
 */
export class ActivityStates {
	readonly #target: EventTarget;
	readonly #opts: ActivityStatesOptions;
	readonly #opening: OpeningWait;
	readonly #ending: EndingNotice;
	/** The last `luwte-not-started` told to the page (not repeated for the same window). */
	#told = '';

	constructor(host: ReactiveControllerHost & EventTarget, opts: ActivityStatesOptions) {
		this.#target = host;
		this.#opts = opts;
		this.#opening = new OpeningWait(host, () => opts.retry());
		this.#ending = new EndingNotice(host, (minutes) => opts.texts().endingIn(minutes), opts.message);
	}

	/** A refused join that is a state of the activity, not a failure: handled here (true), or not (false). */
	refused(err: unknown): boolean {
		const code = err instanceof SignalError ? err.code : undefined;
		if (code === 'not_started') this.#notStarted(notStartedOf(err));
		else if (code === 'session_ended') this.#final('ended');
		else if (code === 'session_cancelled') this.#final('cancelled');
		else if (code === 'not_found') this.#final('gone');
		else return false;
		return true;
	}

	/** The server ended the session (`sessionEnded`). */
	ended(reason: string): void {
		if (reason === 'cancelled') this.#final('cancelled');
		else this.#final('ended', END_REASONS.includes(reason) ? (reason as LuwteEndReason) : 'ended');
	}

	/** The quiet "stops in about N minutes" notice (`sessionEnding`). */
	ending(endsAt: string, reason: 'overdue'): void {
		dispatchLuwteEvent(this.#target, 'luwte-ending', { endsAt, reason, minutes: this.#ending.show(endsAt) });
	}

	/** What to say while the client rejoins, given why its last try failed. */
	rejoining(reason: string, error: SignalError | undefined): string {
		if (error?.code !== 'not_started')
			return reason === 'host-restart' ? this.#opts.texts().restoring : this.#opts.texts().reconnecting;
		// The activity was moved to later: the client waits for it.
		const window = notStartedOf(error);
		this.#tell(window);
		return startText(this.#opts.lang(), window?.startsAt);
	}

	/** In, out, or failed: no more waiting, no notice left. */
	reset(): void {
		this.#opening.cancel();
		this.#ending.clear();
	}

	/** Too early: say when it begins, and try again when the join window opens. */
	#notStarted(window: NotStarted | undefined): void {
		this.#opts.out('waiting', startText(this.#opts.lang(), window?.startsAt));
		this.#opening.refused(window);
		this.#tell(window);
	}

	/** Over, cancelled or gone: said once, in plain words, and nothing is tried again. */
	#final(phase: 'ended' | 'cancelled' | 'gone', reason: LuwteEndReason = 'ended'): void {
		this.reset();
		this.#opts.close();
		const t = this.#opts.texts();
		this.#opts.out(phase, phase === 'ended' ? t.ended : phase === 'cancelled' ? t.cancelled : t.gone);
		if (phase === 'ended') dispatchLuwteEvent(this.#target, 'luwte-ended', { reason });
		else dispatchLuwteEvent(this.#target, phase === 'cancelled' ? 'luwte-cancelled' : 'luwte-gone', {});
	}

	#tell(window: NotStarted | undefined): void {
		const key = window ? `${window.startsAt} ${window.opensAt}` : '';
		if (!window || key === this.#told) return;
		this.#told = key;
		dispatchLuwteEvent(this.#target, 'luwte-not-started', { startsAt: window.startsAt, opensAt: window.opensAt });
	}
}
