import { html, nothing, type TemplateResult } from 'lit';
import type { z } from 'zod';
import type { ViewerItem, viewerModuleListSchema } from '../../admin/library-schemas.ts';
import type { LibraryTexts } from '../library-i18n.ts';

export type ModuleId = keyof LibraryTexts['modules'];
export type ViewerModule = z.output<typeof viewerModuleListSchema>['modules'][number];

/** The five modules as large buttons, each with its number of videos. */
export function modulesView(t: LibraryTexts, modules: ViewerModule[], open: (module: ModuleId) => void): TemplateResult {
	return html`
		<h2 tabindex="-1">${t.library}</h2>
		<p class="intro">${t.chooseModule}</p>
		<ul class="modules">
			${modules.map(
				(m) => html`<li>
					<button class="module" part="button module" data-module=${m.module} @click=${() => open(m.module)}>
						<span class="module-name">${t.modules[m.module]}</span>
						<span class="count">${t.videos(m.count)}</span>
					</button>
				</li>`,
			)}
		</ul>
	`;
}

/** What the list of one module's videos needs besides the texts. */
export interface ItemsList {
	module: ModuleId | undefined;
	items: ViewerItem[];
	/** The server's address: thumbnails are relative to it. */
	server: string;
	back(): void;
	watch(itemId: string): void;
}

/** One module's videos as cards: thumbnail, title, length, description and a "watch" button named for the video. */
export function itemsView(t: LibraryTexts, list: ItemsList): TemplateResult {
	return html`
		<button class="back" part="button back" @click=${() => list.back()}>${t.back}</button>
		<h2 tabindex="-1">${list.module ? t.modules[list.module] : t.library}</h2>
		${list.items.length === 0 ? html`<p>${t.noVideos}</p>` : nothing}
		<ul class="items">
			${list.items.map(
				(item) => html`<li class="card" part="item" data-item=${item.id}>
					<div class="thumb">${item.thumbnailUrl ? html`<img src=${new URL(item.thumbnailUrl, list.server).href} alt="" loading="lazy" />` : nothing}</div>
					<div class="info">
						<h3>${item.title}</h3>
						<p class="meta">${t.minutes(Math.max(1, Math.round(item.durationSeconds / 60)))}</p>
						${item.description ? html`<p class="description">${item.description}</p>` : nothing}
						<button part="button watch" aria-label="${t.watch}: ${item.title}" @click=${() => list.watch(item.id)}>${t.watch}</button>
					</div>
				</li>`,
			)}
		</ul>
	`;
}
