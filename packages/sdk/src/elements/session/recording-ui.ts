import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SignalError, type RecordingState, type SessionClient } from '../../client/index.ts';
import type { Texts } from '../i18n.ts';
import { TwoStepConfirm } from './two-step-confirm.ts';

export const NOT_RECORDING: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };

function sameRecording(a: RecordingState, b: RecordingState): boolean {
	return (
		a.active === b.active &&
		a.you === b.you &&
		a.consent === b.consent &&
		a.recorded.join('\n') === b.recorded.join('\n') &&
		a.consented.join('\n') === b.consented.join('\n')
	);
}

export interface RecordingUiOptions {
	texts(): Texts;
	client(): SessionClient | undefined;
	/** The element's one message line, which recording notices share with the rest. */
	message: { get(): string; set(message: string): void };
}

type Host = ReactiveControllerHost & { readonly renderRoot: HTMLElement | DocumentFragment };

/**
 * What the recording looks like to this person: the server's state, a client's question "are you
 * sure?" before joining the recording, a host's two-step stop, and failures in plain words.
 */
export class RecordingUi implements ReactiveController {
	readonly #host: Host;
	readonly #opts: RecordingUiOptions;
	#state: RecordingState = NOT_RECORDING;
	#askingConsent = false;
	#busy = false;
	/** Host: stopping asks once more, as ending the activity does. */
	readonly stopConfirm: TwoStepConfirm;

	constructor(host: Host, opts: RecordingUiOptions) {
		this.#host = host;
		this.#opts = opts;
		this.stopConfirm = new TwoStepConfirm(host);
		host.addController(this);
	}

	get state(): RecordingState {
		return this.#state;
	}

	/** A client is being asked to confirm joining the recording. */
	get askingConsent(): boolean {
		return this.#askingConsent;
	}

	hostDisconnected(): void {
		this.#askingConsent = false;
	}

	/** The server's new state. Repeats change nothing, so nothing is announced twice. */
	changed(next: RecordingState): void {
		const prev = this.#state;
		if (sameRecording(prev, next)) return;
		if (prev.active !== next.active) {
			this.#askingConsent = false;
			this.stopConfirm.reset();
			const t = this.#opts.texts();
			if (!next.active) this.#opts.message.set(t.recordingStopped);
			else if (this.#isNotice(this.#opts.message.get())) this.#opts.message.set('');
		}
		this.#state = next;
		this.#host.requestUpdate();
	}

	/** Out of the session: nothing is recorded as far as this person can see. */
	reset(): void {
		this.#state = NOT_RECORDING;
		this.#askingConsent = false;
		this.stopConfirm.reset();
		this.#host.requestUpdate();
	}

	/** Host: starts the recording, or stops it in two steps. */
	async toggle(): Promise<void> {
		const client = this.#opts.client();
		if (!client || this.#busy) return;
		const stopping = this.#state.active;
		if (stopping && !this.stopConfirm.press()) return;
		this.#busy = true;
		try {
			await (stopping ? client.stopRecording() : client.startRecording());
		} catch (err) {
			this.#failed(err);
		} finally {
			this.#busy = false;
		}
	}

	/** Client: leaving the recording is one step; joining it asks once more. */
	async toggleOwnConsent(): Promise<void> {
		if (this.#state.consent) {
			await this.setConsent(false);
			return;
		}
		this.#askingConsent = true;
		this.#host.requestUpdate();
		await this.#host.updateComplete;
		this.#host.renderRoot.querySelector<HTMLElement>('.consent-confirm')?.focus();
	}

	async answerConsent(yes: boolean): Promise<void> {
		this.#askingConsent = false;
		this.#host.requestUpdate();
		await this.#host.updateComplete;
		this.#host.renderRoot.querySelector<HTMLElement>('button.consent')?.focus();
		if (yes) await this.setConsent(true);
	}

	/** Own consent (no participantId), or a host registering someone's consent given aloud. */
	async setConsent(consent: boolean, participantId?: string): Promise<void> {
		const client = this.#opts.client();
		if (!client) return;
		try {
			await client.setRecordingConsent(consent, participantId);
		} catch (err) {
			this.#failed(err);
		}
	}

	#isNotice(message: string): boolean {
		const t = this.#opts.texts();
		return ([t.recordingStopped, t.recordingUnavailable, t.recordingNoModule, t.recordingFailed] as string[]).includes(message);
	}

	#failed(err: unknown): void {
		const code = err instanceof SignalError ? err.code : 'internal';
		// A conflict means someone else was quicker (another host started or stopped it): the
		// indicator already shows how things are.
		if (code === 'conflict') return;
		const t = this.#opts.texts();
		// startRecording takes no parameters: invalid_params there means the session has no module.
		const messages: Record<string, string> = { unavailable: t.recordingUnavailable, invalid_params: t.recordingNoModule };
		this.#opts.message.set(messages[code] ?? t.recordingFailed);
	}
}
