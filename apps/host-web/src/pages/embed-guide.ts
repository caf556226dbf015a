import { esc, page } from './html.ts';

/** `/embed/`: how a care provider puts a session on its own website. */
export function embedGuidePage(origin: string): string {
	const snippet = `<script type="module" src="${origin}/embed/luwte.js"></script>

<luwte-session server="${origin}"></luwte-session>
<script type="module">
  // The join token comes from your own backend (never put your API key in a page). Setting it
  // later is fine: a press on "Meedoen" before it arrives waits for it.
  const res = await fetch('/your-backend/luwte-token');
  document.querySelector('luwte-session').token = (await res.json()).token;
</script>`;
	const backend = `curl -X POST ${origin}/v1/sessions/SESSION_ID/tokens \\
  -H "Authorization: Bearer $LUWTE_API_KEY" -H "content-type: application/json" \\
  -d '{"role":"participant","participantId":"client-123"}'`;
	return page(
		'Luwte op uw website',
		`<h1>Een activiteit op uw eigen website</h1>
<p>Met één script zet u een Luwte-activiteit op uw eigen website. Uw cliënt drukt op één grote knop
<q>Meedoen</q> en is erbij. De pagina van uw website moet bij Luwte bekend zijn als toegestane website
van uw organisatie; vraag dat aan de beheerder van Luwte.</p>
<h2>1. Op de webpagina</h2>
<pre><code>${esc(snippet)}</code></pre>
<h2>2. Op uw server: een uitnodiging (join token) per deelnemer</h2>
<p>Gebruik een pseudoniem als <code>participantId</code>, nooit een naam of e-mailadres.</p>
<pre><code>${esc(backend)}</code></pre>
<h2>Aanpassen aan uw huisstijl</h2>
<p>Kleuren en letters stelt u in met CSS-variabelen op het element:
<code>--luwte-bg</code>, <code>--luwte-fg</code>, <code>--luwte-surface</code>, <code>--luwte-accent</code>,
<code>--luwte-button-bg</code>, <code>--luwte-button-fg</code>, <code>--luwte-radius</code>,
<code>--luwte-font-size</code>, <code>--luwte-font-family</code>. Houd voldoende contrast aan (minstens 4,5 : 1).
Onderdelen zijn ook te stylen met <code>::part(stage)</code>, <code>::part(grid)</code>, <code>::part(tile)</code>,
<code>::part(controls)</code> en <code>::part(button)</code>.</p>
<h2>Gebeurtenissen</h2>
<p>Het element meldt <code>luwte-joined</code>, <code>luwte-left</code> en <code>luwte-error</code>
(met <code>detail.code</code>), en de eindtoestanden: <code>luwte-not-started</code> (met
<code>detail.startsAt</code>; het element wacht rustig en komt vanzelf binnen als de activiteit opengaat),
<code>luwte-ending</code> (de activiteit stopt binnenkort), <code>luwte-ended</code>,
<code>luwte-cancelled</code> (gaat niet door) en <code>luwte-gone</code> (bestaat niet meer).
Na een herstart van de server komt het element vanzelf terug. Engels in plaats van Nederlands:
<code>lang="en"</code>.</p>
<p>De volledige API staat in <a href="/v1/openapi.json">het OpenAPI-document</a>.</p>`,
	);
}
