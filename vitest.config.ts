import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
		// Media tests start mediasoup workers and WebRTC clients: one file at a time on 2 cores.
		fileParallelism: false,
		pool: 'forks',
		testTimeout: 60_000,
		hookTimeout: 60_000,
		reporters: ['default'],
	},
});
