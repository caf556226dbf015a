import { html, nothing, type TemplateResult } from 'lit';
import type { Role } from '../../protocol/index.ts';
import type { Texts } from '../i18n.ts';
import { controls, type ControlsActions, type ControlsState } from './controls-view.ts';
import type { LocalMedia } from './local-media.ts';
import { pinnedHere, pinPlaces, pinToggle } from './pins-view.ts';
import { shownPins, type PinSlots } from './pins.ts';
import type { RecordingUi } from './recording-ui.ts';
import { recordingIndicator, recordingPanel } from './recording-view.ts';
import { memberLabel, type Member } from './roster.ts';
import { hostActions, noVideo, selfVideo, tile, type HostActions } from './tile-view.ts';
import { tileVolume, type TileVolumeActions } from './tile-volume.ts';

/** What the room shows: the controllers' state and the element's. */
export interface RoomState {
	role: Role | undefined;
	local: LocalMedia;
	members: Member[];
	spotlight: string | null;
	recording: RecordingUi;
	/** Hosts: how many viewers watch (undefined: there has been no audience). */
	audience: number | undefined;
	/** This person's own participant ID, once joined. */
	participantId: string | undefined;
	controls: ControlsState;
	controlActions: ControlsActions;
	hostActions: HostActions;
	/** Clients and viewers: whom this person pinned beside the stage, and their pin toggle. */
	pins: { slots: PinSlots; toggle(participantId: string, present: ReadonlySet<string>): void };
	/** The listener's volume per person (under each tile but one's own and a shared screen). */
	volume: TileVolumeActions;
}

/**
 * In the session: for clients and viewers the leader (or a shared screen, or the spotlighted
 * participant) big and fixed on the stage, the others in a grid whose tiles keep their place;
 * hosts and rooms see everyone big. Then the toolbar and the recording panel.
 */
export function room(t: Texts, ctx: RoomState): TemplateResult {
	const { role, local, members, spotlight } = ctx;
	const participantIndex = new Map(members.filter((m) => m.role === 'participant').map((m, i) => [m.participantId, i]));
	const label = (m: Member) => memberLabel(t, m, participantIndex.get(m.participantId) ?? 0);
	// Clients and viewers see the leader big and fixed; hosts and rooms see everyone big.
	const watching = role === 'participant' || role === 'viewer';
	const spotlit = spotlight ? members.find((m) => m.participantId === spotlight) : undefined;
	const stageMember = watching ? (members.find((m) => m.screen) ?? spotlit ?? members.find((m) => m.role === 'host')) : undefined;
	// A shared screen takes the stage; its sharer's camera then stays visible in the grid.
	const gridMembers = members.filter((m) => m !== stageMember || m.screen !== undefined);
	const publishing = role !== 'viewer';
	const r = ctx.recording;
	const labelled = members.map((m) => ({ participantId: m.participantId, role: m.role, label: label(m) }));
	const present = new Set(members.map((m) => m.participantId));
	// A sharer's camera is not big while their screen is: it may be pinned beside it.
	const pinned = shownPins(ctx.pins.slots, present, stageMember?.screen ? undefined : stageMember?.participantId);
	const togglePin = (id: string) => ctx.pins.toggle(id, present);
	return html`
		<div class="room ${stageMember || watching ? 'with-stage' : 'grid-only'}">
			${recordingIndicator(t, r.state)}
			${
				role === 'host'
					? html`<p class="audience" part="audience" role="status" aria-live="polite">${ctx.audience === undefined ? '' : t.audience(ctx.audience)}</p>`
					: nothing
			}
			${
				watching
					? html`<div class="stage with-pins" part="stage" aria-label=${t.stage} role="region">
						${
							stageMember
								? html`${tile(t, stageMember, stageMember.screen ? t.screen : label(stageMember), true, spotlight)}
									${stageMember.screen ? nothing : tileVolume(t, stageMember.participantId, label(stageMember), ctx.volume)}`
								: html`<div class="tile waiting" part="tile"><span class="placeholder">${t.waitingForLeader}</span></div>`
						}
						${pinPlaces(
							t,
							pinned.map((id) => members.find((m) => m.participantId === id)),
							label,
							spotlight,
						)}
					</div>`
					: nothing
			}
			<ul class="grid" part="grid" aria-label=${t.grid}>
				${
					publishing && !ctx.controls.hideSelfView
						? html`<li class="tile self" part="tile">
							${local.camOn && local.hasCam ? selfVideo() : noVideo(t)}
							<span class="name">${t.you}${local.micOn ? '' : html` · ${t.muted}`}</span>
						</li>`
						: nothing
				}
				${gridMembers.map(
					(m) =>
						html`<li class="cell">
							${pinned.includes(m.participantId) ? pinnedHere(t, m, label(m)) : tile(t, m, label(m), false, spotlight)}
							${tileVolume(t, m.participantId, label(m), ctx.volume)}
							${watching ? pinToggle(t, m, label(m), pinned.includes(m.participantId), togglePin) : nothing}
							${role === 'host' && m.role !== 'host' ? hostActions(t, m, label(m), spotlight, ctx.hostActions) : nothing}
						</li>`,
				)}
			</ul>
			${members.filter((m) => m.audio).map((m) => html`<audio data-track=${m.audio!.id} autoplay></audio>`)}
			${controls(t, local, r, ctx.controls, ctx.controlActions)}
			${recordingPanel(t, r, role, ctx.participantId, labelled)}
		</div>
	`;
}
