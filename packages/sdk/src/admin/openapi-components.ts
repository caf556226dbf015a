import { z } from 'zod';
import { roleSchema } from '../protocol/messages.ts';
import {
	activeAccountsSchema,
	billingExceptionSchema,
	billingLineSchema,
	billingSchema,
	contractsFileBodySchema,
	forgottenSchema,
	indicationsFileBodySchema,
	moduleAttendanceSchema,
	noShowsSchema,
	savedSchema,
} from './attendance-schemas.ts';
import { ledgerEventLineSchema, sessionAttendanceRowSchema, sessionAttendanceSchema } from './attendance-export-schemas.ts';
import { apiKeyCreatedSchema, apiKeyListSchema, apiKeyRotateSchema } from './key-routes.ts';
import {
	flashWindowSchema,
	libraryApproveSchema,
	libraryDeletedSchema,
	librarySubtitleDeletedSchema,
	librarySubtitleListSchema,
	librarySubtitleSchema,
	librarySubtitleUploadSchema,
	libraryItemListSchema,
	libraryItemResourceSchema,
	libraryItemUpdateSchema,
	libraryModuleListSchema,
	libraryStatusSchema,
	libraryTokenCreateSchema,
	libraryTokenSchema,
	viewerItemDetailSchema,
	viewerSubtitleSchema,
	viewerItemListSchema,
	viewerItemSchema,
	viewerModuleListSchema,
	viewerWatchResultSchema,
	viewerWatchSchema,
} from './library-schemas.ts';
import {
	tenantCreateSchema,
	tenantListSchema,
	tenantLifecycleSchema,
	tenantQuotasSchema,
	tenantSchema,
	tenantUpdateSchema,
	tenantWithKeySchema,
} from './operator.ts';
import {
	consentSchema,
	consentSetSchema,
	recordingListSchema,
	recordingProgressSchema,
	recordingSchema,
	recordingStateSchema,
	sessionRecordingSchema,
} from './recording-schemas.ts';
import type { ApiRoute } from './route-types.ts';
import {
	activityModuleSchema,
	errorResponseSchema,
	healthSchema,
	offerKindSchema,
	participantListSchema,
	scheduleSchema,
	sessionCreateSchema,
	sessionLifecycleSchema,
	sessionListSchema,
	sessionParticipantSchema,
	sessionSchema,
	sessionStateSchema,
	sessionUpdateSchema,
	stimulusProfileDefinitionSchema,
	stimulusProfileRefSchema,
	tokenCreateSchema,
	tokenSchema,
} from './schemas.ts';

/**
 * The names of the API's schemas in the OpenAPI document (`components.schemas.<Name>`), kept in a
 * zod registry of their own rather than with `.meta({ id })` on the schemas: the names are a
 * concern of the document only, so the global registry (which every `z.toJSONSchema` in the
 * process reads, and which throws on a repeated id) stays untouched, and the browser bundles that
 * import the schemas do not carry them. Descriptions still come from the global registry.
 * Renaming one changes generated clients' type names: treat a name as part of the API.
 */
export const apiSchemaNames = z.registry<{ id: string }>();

const named: [z.ZodType, string][] = [
	[errorResponseSchema, 'Error'],
	[healthSchema, 'Health'],
	// Sessions and tokens.
	[activityModuleSchema, 'ActivityModule'],
	[offerKindSchema, 'OfferKind'],
	[roleSchema, 'Role'],
	[scheduleSchema, 'Schedule'],
	[sessionLifecycleSchema, 'SessionLifecycle'],
	[sessionStateSchema, 'SessionState'],
	[sessionParticipantSchema, 'SessionParticipant'],
	[sessionSchema, 'Session'],
	[sessionListSchema, 'SessionList'],
	[sessionCreateSchema, 'SessionCreate'],
	[sessionUpdateSchema, 'SessionUpdate'],
	[participantListSchema, 'ParticipantList'],
	[stimulusProfileDefinitionSchema, 'StimulusProfileDefinition'],
	// Named too, so the definition's two forms (input, output) share them.
	[stimulusProfileDefinitionSchema.shape.congestion.unwrap(), 'StimulusCongestion'],
	[stimulusProfileDefinitionSchema.shape.base.unwrap(), 'StimulusProfileBase'],
	[stimulusProfileRefSchema, 'StimulusProfileRef'],
	[tokenCreateSchema, 'TokenCreate'],
	[tokenSchema, 'Token'],
	// Recording.
	[recordingStateSchema, 'RecordingState'],
	[recordingProgressSchema, 'RecordingProgress'],
	[recordingSchema, 'Recording'],
	[recordingListSchema, 'RecordingList'],
	[consentSetSchema, 'ConsentSet'],
	[consentSchema, 'Consent'],
	[sessionRecordingSchema, 'SessionRecording'],
	// The library and its viewers.
	[libraryStatusSchema, 'LibraryStatus'],
	[flashWindowSchema, 'FlashWindow'],
	[libraryItemResourceSchema, 'LibraryItem'],
	[libraryItemListSchema, 'LibraryItemList'],
	[libraryModuleListSchema, 'LibraryModuleList'],
	// The same object instance as the list's (not exported on its own).
	[libraryModuleListSchema.shape.modules.element.shape.byStatus, 'LibraryStatusCounts'],
	[libraryItemUpdateSchema, 'LibraryItemUpdate'],
	[libraryApproveSchema, 'LibraryApprove'],
	[libraryDeletedSchema, 'LibraryDeleted'],
	[librarySubtitleSchema, 'LibrarySubtitle'],
	[librarySubtitleListSchema, 'LibrarySubtitleList'],
	[librarySubtitleUploadSchema, 'LibrarySubtitleUpload'],
	[librarySubtitleDeletedSchema, 'LibrarySubtitleDeleted'],
	[libraryTokenCreateSchema, 'LibraryTokenCreate'],
	[libraryTokenSchema, 'LibraryToken'],
	[viewerModuleListSchema, 'ViewerModuleList'],
	[viewerItemSchema, 'ViewerItem'],
	[viewerItemListSchema, 'ViewerItemList'],
	[viewerItemDetailSchema, 'ViewerItemDetail'],
	[viewerSubtitleSchema, 'ViewerSubtitle'],
	[viewerWatchSchema, 'ViewerWatch'],
	[viewerWatchResultSchema, 'ViewerWatchResult'],
	// Attendance and billing.
	[contractsFileBodySchema, 'ContractsFile'],
	[indicationsFileBodySchema, 'IndicationsFile'],
	[savedSchema, 'Saved'],
	[billingLineSchema, 'BillingLine'],
	[billingExceptionSchema, 'BillingException'],
	[billingSchema, 'Billing'],
	[activeAccountsSchema, 'ActiveAccounts'],
	[activeAccountsSchema.shape.overall, 'ActiveAccountsRow'],
	[noShowsSchema, 'NoShows'],
	[moduleAttendanceSchema, 'ModuleAttendance'],
	[forgottenSchema, 'ClientForgotten'],
	[sessionAttendanceSchema, 'SessionAttendance'],
	[sessionAttendanceRowSchema, 'SessionAttendanceRow'],
	[ledgerEventLineSchema, 'LedgerEvent'],
	// Tenants and keys.
	[tenantLifecycleSchema, 'TenantLifecycle'],
	[tenantQuotasSchema, 'TenantQuotas'],
	[tenantSchema, 'Tenant'],
	[tenantWithKeySchema, 'TenantWithKey'],
	[tenantListSchema, 'TenantList'],
	[tenantCreateSchema, 'TenantCreate'],
	[tenantUpdateSchema, 'TenantUpdate'],
	[apiKeyListSchema.shape.keys.element, 'ApiKey'],
	[apiKeyListSchema, 'ApiKeyList'],
	[apiKeyRotateSchema, 'ApiKeyRotate'],
	[apiKeyCreatedSchema, 'ApiKeyCreated'],
];
/** The same names by schema (a registry's own map cannot be listed). */
const ids = new Map<z.ZodType, string>();

/** Names a schema unless it has one; the first name given stays. */
export function nameSchema(schema: z.ZodType, id: string): void {
	if (ids.has(schema)) return;
	if ([...ids.values()].includes(id)) throw new Error(`two schemas named ${id}`);
	apiSchemaNames.add(schema, { id });
	ids.set(schema, id);
}
for (const [schema, id] of named) nameSchema(schema, id);

const pascal = (id: string) => id[0]!.toUpperCase() + id.slice(1);

/** Names every route's body, query and response that has no name yet, after its operation. */
export function nameRouteSchemas(routes: Record<string, ApiRoute>): void {
	for (const [id, route] of Object.entries(routes)) {
		if (route.body) nameSchema(route.body, `${pascal(id)}Body`);
		if (route.query) nameSchema(route.query, `${pascal(id)}Query`);
		nameSchema(route.response, `${pascal(id)}Response`);
	}
}

export const componentRef = (name: string) => `#/components/schemas/${name}`;

type JsonSchema = Record<string, unknown>;

export interface Components {
	/** `components.schemas`: only those the document refers to, by name. */
	schemas: Record<string, JsonSchema>;
	/** The `$ref` of a schema as a request body or query sees it (its input form). */
	input(schema: z.ZodType): { $ref: string };
	/** The JSON Schema of a named schema's input form (a query's, to split into parameters). */
	inputSchema(schema: z.ZodType): JsonSchema;
	/** The `$ref` of a schema as a response carries it (its output form). */
	output(schema: z.ZodType): { $ref: string };
}

/**
 * Every named schema as a component, converted by zod itself (`z.toJSONSchema` of the registry,
 * with `uri` pointing into `components.schemas`). A schema whose input form differs from its
 * output form (a default makes a field optional in a request) gets a second component,
 * `<Name>Input`, for requests; so does every schema that refers to one. `used` lists the names
 * the rest of the document refers to: components reach only as far as those (and what they
 * refer to) do, so no unused form is listed.
 */
export function buildComponents(): Omit<Components, 'schemas'> & { finish(used: string): Record<string, JsonSchema> } {
	const out = convert('output', (id) => id);
	// Input names: start equal to the output names; a schema whose input form (with its
	// references under the input names) differs is renamed, until nothing changes. Each round
	// renames at least one schema, so at most one round per schema.
	const inputName = new Map<string, string>();
	let inp = out;
	for (let round = 0; round <= ids.size; round++) {
		inp = convert('input', (id) => inputName.get(id) ?? id);
		let changed = false;
		for (const id of ids.values()) {
			if (inputName.has(id) || JSON.stringify(inp[id]) === JSON.stringify(out[id])) continue;
			inputName.set(id, `${id}Input`);
			changed = true;
		}
		if (!changed) break;
	}
	const all = new Map<string, JsonSchema>();
	for (const id of ids.values()) all.set(id, out[id]!);
	for (const [id, alt] of inputName) {
		if (all.has(alt)) throw new Error(`the input form of ${id} needs the name ${alt}, which is taken`);
		all.set(alt, inp[id]!);
	}
	const nameOf = (schema: z.ZodType) => {
		const id = ids.get(schema);
		if (!id) throw new Error('schema without a name in apiSchemaNames');
		return id;
	};
	return {
		input: (schema) => ({ $ref: componentRef(inputName.get(nameOf(schema)) ?? nameOf(schema)) }),
		inputSchema: (schema) => inp[nameOf(schema)]!,
		output: (schema) => ({ $ref: componentRef(nameOf(schema)) }),
		finish(used) {
			// The names the document refers to, and what those refer to in turn.
			const reached = new Set<string>();
			const pending = [used];
			for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
				for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
					const name = m[1]!;
					if (reached.has(name) || !all.has(name)) continue;
					reached.add(name);
					pending.push(JSON.stringify(all.get(name)));
				}
			}
			return Object.fromEntries([...reached].sort().map((name) => [name, all.get(name)!]));
		},
	};
}

function convert(io: 'input' | 'output', name: (id: string) => string): Record<string, JsonSchema> {
	const { schemas } = z.toJSONSchema(apiSchemaNames, { io, uri: (id) => componentRef(name(id)) }) as {
		schemas: Record<string, JsonSchema>;
	};
	// Each is a component of the document, not a document of its own: no dialect, and no `$id`
	// (zod sets the `uri`, a fragment, which JSON Schema does not allow there).
	for (const s of Object.values(schemas)) {
		delete s.$schema;
		delete s.$id;
	}
	return schemas;
}
