import type { Datum } from './contracts'

/** Sample series the charts, plugins and the PDF export share (thousands of euros). */
export const revenue: Datum[] = [42, 47, 51, 49, 58, 66, 71, 69, 62, 57, 64, 78]
  .map((value, month) => ({ month, value }))
