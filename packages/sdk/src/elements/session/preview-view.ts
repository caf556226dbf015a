import { html, type TemplateResult } from 'lit';
import type { Texts } from '../i18n.ts';
import type { LocalMedia } from './local-media.ts';
import { noVideo, selfVideo } from './tile-view.ts';

/**
 * Before joining: this person's own picture and whether camera and microphone work, in words,
 * then one large "Meedoen" button. A viewer is told nobody sees or hears them.
 */
export function preview(t: Texts, local: LocalMedia, viewer: boolean, joining: boolean, join: () => void): TemplateResult {
	return html`
		<div class="preview">
			<h2>${t.previewTitle}</h2>
			${
				viewer
					? html`<p>${t.viewerIntro}</p>`
					: html`
						<div class="tile self-preview" part="tile">
							${local.hasCam ? selfVideo() : noVideo(t)}
						</div>
						<ul class="checks">
							<li>${local.hasCam ? t.cameraOk : t.cameraMissing}</li>
							<li>${local.hasMic ? t.micOk : t.micMissing}</li>
						</ul>
					`
			}
			<button class="join" part="button join" ?disabled=${!local.ready || joining} @click=${join}>${t.join}</button>
		</div>
	`;
}
