/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The shared frame of the host's own pages: calm, high contrast, large text, Dutch. `style` adds rules after the shared ones. */
export function page(title: string, body: string, opts: { script?: string; style?: string } = {}): string {
	return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — Luwte</title>
<style>
	:root { color-scheme: light; }
	body { margin: 0; font: 1.2rem/1.5 system-ui, sans-serif; background: #f4f1ea; color: #14191f; }
	main { max-width: 960px; margin: 0 auto; padding: 1.5rem; }
	h1 { font-size: 2rem; margin: 0 0 1rem; }
	a { color: #0b4f71; }
	a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 4px solid #b8860b; outline-offset: 3px; }
	button, .button { display: inline-block; min-height: 56px; padding: 0.6rem 1.4rem; border: 0; border-radius: 12px; background: #14191f; color: #f4f1ea; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
	label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
	input, select { font: inherit; min-height: 48px; padding: 0.25rem 0.5rem; border: 2px solid #14191f; border-radius: 8px; background: #fff; color: #14191f; }
	pre { background: #14191f; color: #f4f1ea; padding: 1rem; border-radius: 12px; overflow-x: auto; font-size: 1rem; }
	.links { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
${opts.style ?? ''}</style>
</head>
<body><main>${body}</main>${opts.script ? `<script type="module">${opts.script}</script>` : ''}</body>
</html>`;
}
