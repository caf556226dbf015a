import type { createClient } from 'redis';
import { EngineError } from '../errors.ts';

/**
 * Rejects (`invalid_config`) unless Redis fsyncs its AOF before it replies (`appendonly yes`,
 * `appendfsync always`): only then does an acknowledged write survive a crash of Redis or of the
 * machine. With `everysec` up to a second of acknowledged writes can be lost; without AOF,
 * everything since the last snapshot. `what` names the store in the message.
 */
export async function assertRedisDurable(client: ReturnType<typeof createClient>, what: string): Promise<void> {
	const aof = await client.configGet('append*');
	if (aof.appendonly !== 'yes' || aof.appendfsync !== 'always') {
		throw new EngineError(
			'invalid_config',
			`Redis acknowledges writes before they are on disk (appendonly ${aof.appendonly}, appendfsync ${aof.appendfsync}); set appendonly yes and appendfsync always, or open the ${what} with checkPersistence: false`,
		);
	}
}
