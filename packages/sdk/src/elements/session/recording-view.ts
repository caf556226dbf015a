import { html, nothing, type TemplateResult } from 'lit';
import type { RecordingState } from '../../client/index.ts';
import type { Role } from '../../protocol/index.ts';
import type { Texts } from '../i18n.ts';
import type { RecordingUi } from './recording-ui.ts';

/** Someone in the room as the recording panel names them: with the label of their tile. */
export interface LabelledPerson {
	participantId: string;
	role: Role;
	label: string;
}

/**
 * Always in the room, empty when nothing is recorded: its space is reserved (a hidden copy of
 * the longest text sizes it), so the tiles never move when a recording starts or stops. The
 * live region changes only when the state does, so a screen reader hears it once.
 */
export function recordingIndicator(t: Texts, r: RecordingState): TemplateResult {
	return html`<div class="rec ${r.active ? 'on' : ''}" part="recording">
		<span class="rec-dot" aria-hidden="true"></span>
		<div class="rec-stack">
			<div class="rec-sizer" aria-hidden="true">
				<span class="rec-title">${t.recordingActive}</span>
				<span class="rec-alts"><span>${t.recordingYouIn}</span><span>${t.recordingYouOut}</span></span>
			</div>
			<div class="rec-text" role="status" aria-live="polite" aria-atomic="true">
				${
					r.active
						? html`<span class="rec-title">${t.recordingActive}</span> <span>${r.you ? t.recordingYouIn : t.recordingYouOut}</span>`
						: nothing
				}
			</div>
		</div>
	</div>`;
}

/**
 * While recording: a client's own "join / leave the recording" (joining asks once more); a
 * host's list of who is in it and whose consent is registered. `people` in the order of the tiles.
 */
export function recordingPanel(
	t: Texts,
	ui: RecordingUi,
	role: Role | undefined,
	selfId: string | undefined,
	people: LabelledPerson[],
): TemplateResult | typeof nothing {
	const r = ui.state;
	if (!r.active || role === undefined || role === 'viewer') return nothing;
	if (role !== 'host') {
		return html`<section class="rec-panel" part="recording-panel" aria-label=${t.recordingPanel}>
			${
				ui.askingConsent
					? html`<div
						class="consent-confirm"
						role="group"
						aria-labelledby="consent-question"
						tabindex="-1"
						@keydown=${(e: KeyboardEvent) => e.key === 'Escape' && ui.answerConsent(false)}
					>
						<p id="consent-question">${t.consentQuestion}</p>
						<div class="confirm-buttons">
							<button part="button" @click=${() => ui.answerConsent(true)}>${t.consentYes}</button>
							<button part="button" @click=${() => ui.answerConsent(false)}>${t.consentNo}</button>
						</div>
					</div>`
					: html`<button part="button consent" class="consent" @click=${() => ui.toggleOwnConsent()}>
						${r.consent ? t.consentWithdraw : t.consentGive}
					</button>`
			}
		</section>`;
	}
	// Names as on the tiles (never the pseudonymous IDs), in the order of the tiles.
	const recorded = new Set(r.recorded);
	const others = people.filter((p) => recorded.has(p.participantId)).map((p) => p.label);
	const names = [...(selfId && recorded.has(selfId) ? [t.you] : []), ...others];
	const asking = people.filter((p) => p.role === 'participant' || p.role === 'location');
	return html`<section class="rec-panel" part="recording-panel" aria-label=${t.recordingPanel}>
		<p class="rec-heading" id="recorded-heading">${t.recordedList}</p>
		${
			names.length
				? html`<ul class="rec-list" aria-labelledby="recorded-heading">
					${names.map((n) => html`<li>${n}</li>`)}
				</ul>`
				: html`<p class="rec-none">${t.recordedNobody}</p>`
		}
		${
			asking.length
				? html`<p class="rec-heading" id="consent-heading">${t.consentList}</p>
					<ul class="consent-list" aria-labelledby="consent-heading">
						${asking.map((p) => {
							const given = r.consented.includes(p.participantId);
							const action = given ? t.consentRevoke : t.consentRegister;
							return html`<li>
								<span>${p.label} · ${given ? t.consentGiven : t.consentNone}</span>
								<button part="button" aria-label="${p.label}: ${action}" @click=${() => ui.setConsent(!given, p.participantId)}>${action}</button>
							</li>`;
						})}
					</ul>`
				: nothing
		}
	</section>`;
}
