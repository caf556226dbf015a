import type { Engine } from '@luwte/engine';
import type { TenantRegistry } from '@luwte/engine/auth';
import type { Cluster } from '@luwte/engine/cluster';
import type { RecordingRecord, RecordingService } from '@luwte/engine/recording';
import type { Session } from '@luwte/engine/session';
import { participantIdSchema, type RecordingResource, type recordingRoutes } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Handlers } from './handlers.ts';

export type RecordingRouteId = keyof typeof recordingRoutes;

const iso = (ms: number) => new Date(ms).toISOString();

/** The routes only the session's origin host can answer in a cluster: its recorder and consent records are there. */
const atOrigin = ['startRecording', 'stopRecording', 'getSessionRecording', 'setRecordingConsent'] as const;
type AtOrigin = (typeof atOrigin)[number];

/**
 * Admin routes for recording (tenant API key): start, stop, state, consent, processing progress.
 * In a cluster the session routes run on the session's origin host: a call that lands elsewhere
 * (the load balancer chose) is passed on to it over the cluster bus and answered with its reply.
 */
export function recordingHandlers(
	engine: Engine,
	given: RecordingService | undefined,
	cluster?: Cluster | undefined,
	tenants?: TenantRegistry,
): Handlers<RecordingRouteId> {
	const local = localRecordingHandlers(engine, given);
	if (!cluster || !tenants) return local;
	cluster.serveForwarded(async (call) => {
		const tenant = tenants.get(call.tenantId);
		if (!tenant) throw new HostError('not_found', 'tenant not found');
		const handler = local[call.route] as (input: unknown) => unknown;
		return handler({ tenant, params: call.params, body: call.body, query: {} });
	});
	const routed = { ...local };
	type Input = { tenant: { id: string }; params: Record<string, string>; body: unknown };
	for (const route of atOrigin) {
		const here = local[route] as (input: Input) => unknown;
		(routed as Record<AtOrigin, unknown>)[route] = async (input: Input) => {
			const origin = await cluster.originElsewhere(input.params.sessionId!);
			if (!origin) return here(input);
			return cluster.forward(origin, { route, tenantId: input.tenant.id, params: { ...input.params }, body: input.body ?? null });
		};
	}
	return routed;
}

function localRecordingHandlers(engine: Engine, given: RecordingService | undefined): Handlers<RecordingRouteId> {
	const recordings = (): RecordingService => {
		if (!given) throw new HostError('unavailable', 'this host does not record (no library)');
		return given;
	};
	/** The live recording of a session, merged with what the service knows. */
	const live = (session: Session): RecordingResource | null => {
		const status = session.recordingStatus();
		if (!status.active || !status.recordingId) return null;
		const known = given?.list(session.tenantId).find((r) => r.recordingId === status.recordingId);
		return {
			...(known ? resource(known) : emptyResource(session.id, status.recordingId, status.startedAt!)),
			state: 'recording',
			recorded: status.recorded,
		};
	};
	return {
		startRecording: async ({ tenant, params }) => {
			recordings();
			const session = engine.session(tenant.id, params.sessionId!);
			await session.startRecording();
			return live(session)!;
		},
		stopRecording: async ({ tenant, params }) => {
			const session = engine.session(tenant.id, params.sessionId!);
			const { recordingId } = await session.stopRecording();
			return resource(recordings().get(tenant.id, recordingId));
		},
		getSessionRecording: ({ tenant, params }) => {
			const session = engine.session(tenant.id, params.sessionId!);
			const status = session.recordingStatus();
			return {
				active: status.active,
				recording: live(session),
				consent: status.consent.map((c) => ({ participantId: c.participantId, consent: c.consent, at: iso(c.at), by: c.by })),
			};
		},
		setRecordingConsent: ({ tenant, params, body }) => {
			const session = engine.session(tenant.id, params.sessionId!);
			// Consent may be registered before the client joins, so any well-formed pseudonymous ID.
			const participantId = parseOrThrow(participantIdSchema, params.participantId, 'participantId');
			const record = session.setRecordingConsent(undefined, participantId, body.consent);
			return { participantId, consent: record.consent, at: iso(record.at), by: record.by };
		},
		listRecordings: ({ tenant }) => ({ recordings: recordings().list(tenant.id).map(resource) }),
		getRecording: ({ tenant, params }) => resource(recordings().get(tenant.id, params.recordingId!)),
	};
}

function resource(r: RecordingRecord): RecordingResource {
	return {
		recordingId: r.recordingId,
		sessionId: r.sessionId,
		state: r.state,
		startedAt: iso(r.startedAt),
		endedAt: r.endedAt === undefined ? null : iso(r.endedAt),
		recorded: [],
		progress: r.progress ?? null,
		itemId: r.itemId ?? null,
		error: r.error ?? null,
	};
}

function emptyResource(sessionId: string, recordingId: string, startedAt: number): RecordingResource {
	return {
		recordingId,
		sessionId,
		state: 'recording',
		startedAt: iso(startedAt),
		endedAt: null,
		recorded: [],
		progress: null,
		itemId: null,
		error: null,
	};
}
