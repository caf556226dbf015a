// A child process for the crash test: appends events to a ledger store as fast as it can and
// prints `ack <id>` for every append that resolved (the store called it durable). The test kills
// it with SIGKILL at a random moment. Usage: node crash-writer.ts file DIR ROUND [RETRY_IDS]
//                                      or node crash-writer.ts redis URL/PREFIX ROUND [RETRY_IDS]
import { AttendanceLog, RedisLedgerStore, type AttendanceEventInput, type LedgerStore } from '@luwte/engine/attendance';

const [kind, where, round, retry = ''] = process.argv.slice(2);
const store: LedgerStore =
	kind === 'file'
		? await AttendanceLog.open(where!)
		: await RedisLedgerStore.open({ url: where!.split('|')[0]!, prefix: where!.split('|')[1]! });

function event(id: string, i: number): AttendanceEventInput {
	return {
		id,
		at: 1_700_000_000_000 + i,
		tenantId: `zorg-${i % 3}`,
		type: 'participant.heartbeat',
		sessionId: 's_crash',
		participantId: `client-${i % 11}`,
		connectionId: `c-${i % 11}`,
	};
}

// Pipes are written synchronously on Linux: a printed ack is out before the next event is sent.
const ack = (id: string) => process.stdout.write(`ack ${id}\n`);
process.stdout.write('ready\n');
// Retries of the previous round's events first (acknowledged or not): each must end up once.
await Promise.all(
	retry
		.split(',')
		.filter(Boolean)
		.map((id, i) => store.append(event(id, i)).then(() => ack(id))),
);
for (let i = 0; ; ) {
	// Batches of different sizes in flight together, as a busy host makes them.
	const n = 1 + (i % 37);
	const batch = Array.from({ length: n }, (_, k) => `r${round}-${i + k}`);
	i += n;
	const singles = batch.slice(0, n >> 1).map((id, k) => store.append(event(id, i + k)).then(() => ack(id)));
	const rest = batch.slice(n >> 1);
	const grouped = store.append(rest.map((id, k) => event(id, i + k))).then(() => rest.forEach(ack));
	await Promise.all([...singles, grouped]);
}
