/** A QR code drawn as one SVG path (qrcode-generator computes the modules; no canvas, no inline markup). */
import qrcode from 'qrcode-generator';

export function QrCode(props: { text: string; label: string; size?: number }) {
  const qr = qrcode(0, 'M');
  qr.addData(props.text);
  qr.make();
  const n = qr.getModuleCount();
  const margin = 4; // the quiet zone scanners need
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + margin} ${r + margin}h1v1h-1z`;
  const side = n + margin * 2;
  return (
    <svg class="qr" role="img" aria-label={props.label} viewBox={`0 0 ${side} ${side}`} width={props.size ?? 200} height={props.size ?? 200} shape-rendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
