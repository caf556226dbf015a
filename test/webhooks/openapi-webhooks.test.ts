import { Validator } from '@seriousme/openapi-schema-validator';
import { webhookEventTypes as engineTypes } from '@luwte/engine/webhooks';
import { openApiDocument, webhookEventTypes } from '@luwte/sdk/admin';
import { describe, expect, it } from 'vitest';

describe('the OpenAPI webhooks section', () => {
	const doc = openApiDocument({ version: 'test' }) as any;
	const deref = (s: any) => doc.components.schemas[String(s.$ref).replace('#/components/schemas/', '')];

	it('lists every event type, each body a named component, and the document still validates', async () => {
		expect(Object.keys(doc.webhooks)).toEqual([...webhookEventTypes]);
		// The engine keeps its own list (it cannot import the SDK): both agree.
		expect([...engineTypes]).toEqual([...webhookEventTypes]);
		const joined = doc.webhooks['participant.joined'].post;
		expect(joined.parameters.map((p: { name: string }) => p.name)).toContain('Luwte-Signature');
		const body = deref(joined.requestBody.content['application/json'].schema);
		expect(body.required).toEqual(['id', 'type', 'createdAt', 'tenantId', 'data']);
		expect(body.properties.type.const).toBe('participant.joined');
		const data = deref(body.properties.data);
		expect(data.properties.role.$ref).toBe('#/components/schemas/Role');
		expect(Object.keys(data.properties).sort()).toEqual(['participantId', 'role', 'sessionId']);
		const result = await new Validator().validate(doc);
		expect(result.errors ?? []).toEqual([]);
	});
});
