import { html, nothing, type TemplateResult } from 'lit';
import type { Role } from '../../protocol/index.ts';
import type { Texts } from '../i18n.ts';
import type { LocalMedia } from './local-media.ts';
import type { RecordingUi } from './recording-ui.ts';

/** What the toolbar shows besides the controllers' own state. */
export interface ControlsState {
	role: Role | undefined;
	hideSelfView: boolean;
	sharing: boolean;
	/** The two-step "end the activity" is armed: the next press ends it. */
	endArmed: boolean;
}

export interface ControlsActions {
	toggleMic(): void;
	toggleCam(): void;
	toggleSelfView(): void;
	toggleScreenShare(): void;
	end(): void;
	leave(): void;
}

/**
 * The toolbar: own microphone, camera and self view for everyone who publishes; screen sharing,
 * recording and the two-step end for hosts; leaving for all. Every button says what it will do.
 */
export function controls(t: Texts, local: LocalMedia, rec: RecordingUi, s: ControlsState, act: ControlsActions): TemplateResult {
	const publishing = s.role !== 'viewer';
	return html`<div class="controls" part="controls" role="toolbar" aria-label=${t.controls}>
		${
			publishing
				? html`
					<button part="button" aria-pressed=${String(!local.micOn)} @click=${act.toggleMic}>
						${local.micOn ? t.micOff : t.micOn}
					</button>
					<button part="button" aria-pressed=${String(!local.camOn)} ?disabled=${!local.hasCam} @click=${act.toggleCam}>
						${local.camOn ? t.camOff : t.camOn}
					</button>
					<button part="button" aria-pressed=${String(s.hideSelfView)} @click=${act.toggleSelfView}>
						${s.hideSelfView ? t.selfViewShow : t.selfViewHide}
					</button>
				`
				: nothing
		}
		${
			s.role === 'host'
				? html`
					<button part="button" aria-pressed=${String(s.sharing)} @click=${act.toggleScreenShare}>
						${s.sharing ? t.stopShare : t.shareScreen}
					</button>
					<button part="button record" class="record" @click=${() => void rec.toggle()}>
						${rec.state.active ? (rec.stopConfirm.armed ? t.recordStopConfirm : t.recordStop) : t.recordStart}
					</button>
					<button part="button end" class="end" @click=${act.end}>${s.endArmed ? t.endConfirm : t.endSession}</button>
				`
				: nothing
		}
		<button part="button leave" class="leave" @click=${act.leave}>${t.leave}</button>
	</div>`;
}
