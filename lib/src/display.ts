/**
 * @module Rich output in the notebook: HTML, tables and plotly charts. Charts carry plotly's own
 * mime type (JupyterLab renders it live) plus self-contained HTML (the classic notebook, and the
 * executed notebook saved as HTML, which then works offline).
 */
import { readFileSync } from 'node:fs';

/** A plotly.js figure: traces, layout and config, as Plotly.newPlot takes them. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

type Bundle = Record<string, unknown>;

/** JSON that is safe inside an HTML <script> (no "</script>", no "<!--"). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** Text made safe inside HTML. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

let fallbackSink: ((bundle: Bundle) => void) | undefined;
/** Outside a tslab kernel (tests, scripts) rich output goes to this sink instead; undefined (the default) for nowhere. */
export function setDisplaySink(sink: ((bundle: Bundle) => void) | undefined): void {
  fallbackSink = sink;
}

/**
 * Sends one display_data message with several mime types. tslab's public `display` sends one
 * type per output, so the whole bundle goes through its kernel channel when it is there.
 */
export function displayBundle(bundle: Bundle): void {
  let channel: { lastWriteDisplayData?: (message: object, update: boolean) => void } | undefined;
  try {
    channel = require('tslab/dist/jupyter');
  } catch {
    channel = undefined;
  }
  if (typeof channel?.lastWriteDisplayData === 'function') channel.lastWriteDisplayData({ data: bundle, metadata: {}, transient: {} }, false);
  else fallbackSink?.(bundle);
}

/** Shows HTML in the notebook (with its text for plain-text viewers). */
export function showHtml(html: string): void {
  displayBundle({ 'text/html': html, 'text/plain': html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() });
}

/** A simple HTML table; numbers are shown as given (format them first). */
export function tableHtml(headers: string[], rows: (string | number)[][], options: { caption?: string } = {}): string {
  const cell = (v: string | number, tag: 'td' | 'th') => `<${tag} style="padding:4px 10px;text-align:${typeof v === 'number' ? 'right' : 'left'}">${escapeHtml(String(v))}</${tag}>`;
  const { caption } = options;
  return (
    `<table style="border-collapse:collapse">${caption ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(caption)}</caption>` : ''}` +
    `<thead><tr>${headers.map((h) => cell(h, 'th')).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((v) => cell(v, 'td')).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** Shows a table: a header row, then the rows (numbers right-aligned, shown as given); an optional caption. */
export function showTable(headers: string[], rows: (string | number)[][], options: { caption?: string } = {}): void {
  showHtml(tableHtml(headers, rows, options));
}

/** plotly.js (about 11 MB, unminified) goes into the first chart's output only; later charts find window.Plotly. */
let plotlySent = false;

/** The HTML of a chart that draws itself with plotly.js: embedded when `includeLibrary`, else found as window.Plotly. */
export function plotHtml(figure: Figure, options: { height?: number; includeLibrary?: boolean } = {}): string {
  const spec = { data: figure.data, layout: figure.layout ?? {}, config: { responsive: true, displaylogo: false, ...figure.config } };
  const id = `cvlab-plot-${Math.random().toString(36).slice(2)}`;
  const height = options.height ?? 420;
  const library = options.includeLibrary
    ? `<script type="text/javascript">${readFileSync(require.resolve('plotly.js-dist'), 'utf8').replace(/<\/script/gi, '<\\/script')}</script>\n`
    : '';
  return (
    `${library}<div id="${id}" class="cvlab-plot" style="width:100%;height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var spec = ${scriptJson(spec)}, id = ${scriptJson(id)};\n` +
    `  function draw() { var el = document.getElementById(id); if (el) window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); }\n` +
    `  if (window.Plotly) return draw();\n` +
    `  var tries = 0, timer = setInterval(function () {\n` +
    `    if (window.Plotly) { clearInterval(timer); draw(); }\n` +
    `    else if (++tries > 100) { clearInterval(timer); var el = document.getElementById(id); if (el) el.textContent = 'plotly.js is not loaded: run the notebook from the top.'; }\n` +
    `  }, 100);\n` +
    `})();</script>`
  );
}

/** Shows a plotly chart, `height` px high (default 420). */
export function showPlot(figure: Figure, options: { height?: number } = {}): void {
  const spec = { data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} };
  const html = plotHtml(figure, { height: options.height, includeLibrary: !plotlySent });
  plotlySent = true;
  displayBundle({
    'application/vnd.plotly.v1+json': spec,
    'text/html': html,
    'text/plain': `<chart: ${String((figure.layout?.title as { text?: string } | undefined)?.text ?? `${figure.data.length} trace(s)`)}>`,
  });
}
