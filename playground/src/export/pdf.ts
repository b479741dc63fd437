// A one-page PDF 1.4 writer: text in Helvetica and a bar chart. Loaded only through the marked
// import in main.ts, so none of it is in the entry chunk.

export interface PdfDocument {
  title: string
  subtitle: string
  /** Label and value pairs, one line each, e.g. a month and its revenue. */
  rows: [label: string, value: string][]
  /** Drawn as bars above the rows. */
  values: number[]
}

const PAGE = { width: 595, height: 842, margin: 56 }

export function exportPdf(doc: PdfDocument): Blob {
  const content = [
    text(doc.title, PAGE.margin, 780, 20),
    text(doc.subtitle, PAGE.margin, 758, 10),
    bars(doc.values, PAGE.margin, 520, PAGE.width - 2 * PAGE.margin, 200),
    ...doc.rows.flatMap(([label, value], i) => [text(label, PAGE.margin, 480 - i * 16, 11), text(value, 220, 480 - i * 16, 11)]),
  ].join('\n')
  return new Blob([serialize(content)], { type: 'application/pdf' })
}

function text(value: string, x: number, y: number, size: number): string {
  return `BT /F1 ${size} Tf ${x} ${y} Td (${escape(value)}) Tj ET`
}

function bars(values: number[], x: number, y: number, width: number, height: number): string {
  const max = Math.max(...values)
  const step = width / values.length
  return ['0.26 0.22 0.79 rg', ...values.map((value, i) => `${(x + i * step + step * 0.1).toFixed(1)} ${y} ${(step * 0.8).toFixed(1)} ${(height * value / max).toFixed(1)} re f`), '0 g'].join('\n')
}

/** WinAnsi text: the standard fonts have no glyphs past Latin-1, so other characters become `?`. */
function escape(value: string): string {
  return value
    .replace(/[‘’]/g, '\'')
    .replace(/[–—]/g, '-')
    .replace(/[^\x20-\x7E\xA0-\xFF]/g, '?')
    .replace(/[\\()]/g, '\\$&')
}

function serialize(content: string): Uint8Array<ArrayBuffer> {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ]
  // Every character is one byte (Latin-1), so string offsets are byte offsets for the xref table.
  let out = '%PDF-1.4\n'
  const offsets = objects.map((body, i) => {
    const offset = out.length
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
    return offset
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map(offset => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  const bytes = new Uint8Array(out.length)
  for (let i = 0; i < out.length; i++)
    bytes[i] = out.charCodeAt(i)
  return bytes
}
