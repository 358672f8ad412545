/** Small HTML helpers shared by the console, the consent page and the Self Client page. Everything dynamic is escaped. */

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** Tagged template: interpolated values are escaped unless wrapped in `raw()`. Arrays are joined. */
export class RawHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export const raw = (html: string): RawHtml => new RawHtml(html);

function render(value: unknown): string {
  if (value instanceof RawHtml) return value.html;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}

const baseCss = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1f3a5f;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px;margin:0 auto}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin:0 0 16px}
label{display:block;margin:8px 0 4px;font-weight:600}
input,select,textarea{font:inherit;padding:6px 8px;border:1px solid #b9c0cb;border-radius:4px;min-width:260px}
button{font:inherit;padding:7px 14px;border-radius:4px;border:1px solid #1f3a5f;background:#1f3a5f;color:#fff;cursor:pointer;margin:8px 8px 0 0}
button.secondary{background:#fff;color:#1f3a5f}button.danger{background:#a32020;border-color:#a32020}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e3e6eb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5}td{max-width:360px;overflow-wrap:anywhere}
.error{color:#a32020}.ok{color:#1e7b34}.muted{color:#667085}code,pre{background:#eef1f5;padding:2px 4px;border-radius:3px;overflow-wrap:anywhere;white-space:pre-wrap}
nav.tabs a{display:inline-block;padding:6px 12px;margin-right:4px;border-radius:4px 4px 0 0;background:#dde3ec;color:#1d2330;text-decoration:none}
nav.tabs a.active{background:#fff;font-weight:600}
`;

export function htmlPage(title: string, body: RawHtml, opts: { script?: string; status?: string } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${baseCss}</style></head>
<body><header><h1>${escapeHtml(title)}</h1></header><main>${body.html}</main>${
    opts.script ? `<script>${opts.script}</script>` : ''
  }</body></html>`;
}
