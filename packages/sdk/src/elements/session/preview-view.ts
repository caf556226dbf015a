import { html, nothing, type TemplateResult } from 'lit';
import type { Texts } from '../i18n.ts';
import type { LocalMedia } from './local-media.ts';
import { noVideo, selfVideo } from './tile-view.ts';

/**
 * Before joining: this person's own picture and whether camera and microphone work, in words,
 * then one large "Meedoen" button. A viewer is told nobody sees or hears them.
 *
 * While the browser is still answering (it may be asking for permission), the check says so,
 * never "no camera"; the button waits and its description says why (as it does, pointing at the
 * status line, while joining or waiting for the activity to start). The check's text and its
 * two answers take the same reserved space (styles: `.check`), so nothing moves when they come.
 */
export function preview(t: Texts, local: LocalMedia, viewer: boolean, joining: boolean, join: () => void): TemplateResult {
	const checking = !viewer && !local.ready;
	return html`
		<div class="preview">
			<h2>${t.previewTitle}</h2>
			${
				viewer
					? html`<p>${t.viewerIntro}</p>`
					: html`
						<div class="tile self-preview" part="tile">
							${checking ? html`<span class="placeholder" aria-hidden="true"></span>` : local.hasCam ? selfVideo() : noVideo(t)}
						</div>
						<div class="check">
							${
								checking
									? html`<p id="device-check" class="checking">${t.checkingDevices}</p>`
									: html`<ul class="checks">
										<li>${local.hasCam ? t.cameraOk : t.cameraMissing}</li>
										<li>${local.hasMic ? t.micOk : t.micMissing}</li>
									</ul>`
							}
						</div>
					`
			}
			<button
				class="join"
				part="button join"
				?disabled=${checking || joining}
				aria-describedby=${checking ? 'device-check' : joining ? 'session-status' : nothing}
				@click=${join}
			>${t.join}</button>
		</div>
	`;
}
