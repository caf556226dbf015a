import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
	id: string;
	impact: string;
	nodes: number;
	html: string | undefined;
}

/**
 * WCAG 2.2 AA violations axe-core finds in the element `selector` (or the whole page). axe is
 * evaluated over the DevTools protocol, so a page whose CSP refuses injected scripts is checked too.
 */
export async function axeViolations(page: Page, selector?: string): Promise<AxeViolation[]> {
	await page.evaluate(await axeSource);
	return page.evaluate(async (sel) => {
		const target = sel ? document.querySelector(sel)! : document;
		const r = await (window as any).axe.run(target, {
			runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
		});
		return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, html: v.nodes[0]?.html }));
	}, selector);
}
