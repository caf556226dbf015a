import { spawnSync } from 'node:child_process';
import type { ShapedReceiver } from './netns.ts';

// The firewalls of institutional networks, put in front of one client's network namespace with
// nftables (the reachability tests: test/media/turn*.test.ts).

export function nftUnavailable(): string | undefined {
	return spawnSync('nft', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'nft (nftables) not installed';
}

/** Drops every UDP packet in and out (many care institutions' guest networks). */
export function blockUdp(ns: Pick<ShapedReceiver, 'inNamespace'>): void {
	ns.inNamespace('nft', 'add', 'table', 'inet', 'firewall');
	for (const hook of ['input', 'output']) {
		ns.inNamespace('nft', 'add', 'chain', 'inet', 'firewall', hook, `{ type filter hook ${hook} priority 0; policy accept; }`);
		ns.inNamespace('nft', 'add', 'rule', 'inet', 'firewall', hook, 'meta', 'l4proto', 'udp', 'drop');
	}
}

/** Lets only TCP to port 443 out (and its answers in): the strictest networks, HTTPS only. */
export function onlyTcp443(ns: Pick<ShapedReceiver, 'inNamespace'>): void {
	const nft = (...args: string[]) => ns.inNamespace('nft', ...args);
	nft('add', 'table', 'inet', 'firewall');
	nft('add', 'chain', 'inet', 'firewall', 'output', '{ type filter hook output priority 0; policy drop; }');
	nft('add', 'rule', 'inet', 'firewall', 'output', 'oifname', 'lo', 'accept');
	nft('add', 'rule', 'inet', 'firewall', 'output', 'ct', 'state', 'established,related', 'accept');
	nft('add', 'rule', 'inet', 'firewall', 'output', 'tcp', 'dport', '443', 'accept');
	nft('add', 'chain', 'inet', 'firewall', 'input', '{ type filter hook input priority 0; policy drop; }');
	nft('add', 'rule', 'inet', 'firewall', 'input', 'iifname', 'lo', 'accept');
	nft('add', 'rule', 'inet', 'firewall', 'input', 'ct', 'state', 'established,related', 'accept');
}
