import {
	webhookDeliveryStateSchema,
	webhookEventTypes,
	type WebhookDeliveryResource,
	type WebhookEndpointResource,
	type WebhookEventType,
} from '@luwte/sdk/admin';
import { defineCommand, defineGroup } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';
import { jsonOption, listOf, print, table } from './output.ts';

const endpoint = { name: 'endpoint', placeholder: 'ENDPOINT', description: 'the endpoint ID (whk_…)' } as const;

function endpointTable(endpoints: readonly WebhookEndpointResource[]): string {
	if (endpoints.length === 0) return 'no webhook endpoints';
	return table([
		['ENDPOINT', 'ENABLED', 'PENDING', 'URL', 'EVENTS'],
		...endpoints.map((e) => [
			e.id,
			e.enabled ? 'yes' : 'no',
			String(e.pending),
			e.url,
			e.events.length === webhookEventTypes.length ? 'all' : e.events.join(','),
		]),
	]);
}

function deliveryTable(deliveries: readonly WebhookDeliveryResource[]): string {
	if (deliveries.length === 0) return 'no deliveries';
	return table([
		['DELIVERY', 'EVENT', 'TYPE', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT'],
		...deliveries.map((d) => [
			d.id,
			d.eventId,
			d.type,
			d.state,
			String(d.attempts),
			d.lastStatus !== null ? String(d.lastStatus) : (d.lastError ?? '-'),
			d.nextAttemptAt ?? '-',
		]),
	]);
}

/** `--events a,b` or `all`: checked here, so a typo is a usage error naming the known types. */
function eventsOf(value: string): WebhookEventType[] {
	if (value === 'all') return [...webhookEventTypes];
	const events = listOf(value);
	const unknown = events.filter((e) => !(webhookEventTypes as readonly string[]).includes(e));
	if (events.length === 0 || unknown.length > 0)
		throw new UsageError(`--events: unknown ${unknown.join(', ') || '(none given)'}; known: all, ${webhookEventTypes.join(', ')}`);
	return events as WebhookEventType[];
}

const createCommand = defineCommand({
	name: 'create',
	summary: 'Register a webhook endpoint and print its signing secret (shown once).',
	positionals: [{ name: 'url', placeholder: 'URL', description: 'https://… (http:// only to localhost or 127.0.0.1)' }],
	options: {
		events: {
			type: 'string',
			placeholder: 'TYPE,…',
			default: 'all',
			description: `the event types to send (comma-separated), or all: ${webhookEventTypes.join(', ')}`,
		},
		description: { type: 'string', placeholder: 'TEXT', description: 'a note for the organisation (not sent)' },
		disabled: { type: 'boolean', description: 'register it without sending anything yet (enable with the API)' },
		json: jsonOption,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const r = await (await adminClientFrom(values, env)).createWebhook({
			url: args.url,
			events: eventsOf(values.events),
			enabled: values.disabled !== true,
			...(values.description !== undefined ? { description: values.description } : {}),
		});
		if (!values.json) io.err.write(`endpoint ${r.endpoint.id}; its signing secret, shown once (docs/webhooks.md):\n`);
		print(io, values.json, r, r.secret);
	},
});

const listCommand = defineCommand({
	name: 'list',
	summary: "The tenant's webhook endpoints, with how many deliveries wait for each.",
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, io, env }) {
		const { endpoints } = await (await adminClientFrom(values, env)).listWebhooks();
		print(io, values.json, endpoints, endpointTable(endpoints));
	},
});

const deleteCommand = defineCommand({
	name: 'delete',
	summary: 'Delete an endpoint with its waiting deliveries and its delivery log.',
	positionals: [endpoint],
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const e = await (await adminClientFrom(values, env)).deleteWebhook(args.endpoint);
		print(io, values.json, e, `endpoint ${e.id} deleted (${e.url})`);
	},
});

const deliveriesCommand = defineCommand({
	name: 'deliveries',
	summary: "An endpoint's delivery log, newest first: waiting deliveries and the last finished ones.",
	positionals: [endpoint],
	options: {
		state: { type: 'string', choices: webhookDeliveryStateSchema.options, description: 'only deliveries in this state' },
		limit: { type: 'integer', placeholder: 'N', default: 100, description: 'at most this many (1-500)' },
		json: jsonOption,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		if (values.limit < 1 || values.limit > 500) throw new UsageError('--limit must be 1 to 500');
		const { deliveries } = await (await adminClientFrom(values, env)).listWebhookDeliveries(args.endpoint, {
			limit: values.limit,
			...(values.state ? { state: values.state } : {}),
		});
		print(io, values.json, deliveries, deliveryTable(deliveries));
	},
});

const redeliverCommand = defineCommand({
	name: 'redeliver',
	summary: 'Send one delivery again now (the same delivery and event ID: receivers de-duplicate).',
	positionals: [endpoint, { name: 'delivery', placeholder: 'DELIVERY', description: 'the delivery ID (dlv_…) as deliveries lists it' }],
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const d = await (await adminClientFrom(values, env)).redeliverWebhook(args.endpoint, args.delivery);
		print(io, values.json, d, `delivery ${d.id} (${d.type}, event ${d.eventId}) queued again`);
	},
});

/** `luwte webhooks …`: the tenant's webhook endpoints on a running host. */
export const webhookCommands = defineGroup({
	name: 'webhooks',
	summary: 'Webhook endpoints of a running host: create, list, delete, the delivery log, redeliver.',
	commands: [createCommand, listCommand, deleteCommand, deliveriesCommand, redeliverCommand],
	notes: `${connectionNotes} Events, payloads and verifying signatures: docs/webhooks.md.`,
});
