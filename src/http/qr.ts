import QRCode from 'qrcode';

/** The otpauth URI as a QR code, as SVG markup and as a PNG data URL (made with `qrcode`). */
export async function renderQr(uri: string): Promise<{ svg: string; pngDataUrl: string }> {
  const [svg, pngDataUrl] = await Promise.all([
    QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 256 }),
  ]);
  return { svg, pngDataUrl };
}
