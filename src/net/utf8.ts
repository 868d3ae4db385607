/**
 * UTF-8 to and from strings, for hosts without `TextEncoder`/`TextDecoder` (QuickJS,
 * Espruino). Malformed input decodes to U+FFFD per bad byte; lone surrogates encode as U+FFFD.
 */

/**
 * Encodes `text` as UTF-8. Allocates: the result.
 *
 * @example
 * ```ts
 * const bytes = utf8Encode("héllo"); // no TextEncoder needed (QuickJS, Espruino)
 * console.log(bytes.length); // 6
 * ```
 */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/**
 * Decodes `bytes[start, end)` as UTF-8. Allocates: the result.
 *
 * @example
 * ```ts
 * const bytes = utf8Encode("héllo wörld");
 * console.log(utf8Decode(bytes, 0, 6)); // "héllo"
 * ```
 */
export function utf8Decode(bytes: Uint8Array, start?: number, end?: number): string {
  let i = start === undefined ? 0 : start;
  const stop = end === undefined ? bytes.length : end;
  let out = "";
  while (i < stop) {
    const b = bytes[i];
    let c = 0xfffd;
    let need = 0;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0) {
      c = b & 31;
      need = 1;
    } else if (b >= 0xe0 && b < 0xf0) {
      c = b & 15;
      need = 2;
    } else if (b >= 0xf0 && b < 0xf5) {
      c = b & 7;
      need = 3;
    }
    let j = 1;
    for (; j <= need; j++) {
      const n = i + j < stop ? bytes[i + j] : 0;
      if ((n & 0xc0) !== 0x80) break;
      c = (c << 6) | (n & 63);
    }
    if (j <= need || (need === 2 && c < 0x800) || (need === 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff && need === 2)) {
      out += "\ufffd";
      i++;
      continue;
    }
    i += need + 1;
    if (c >= 0x10000) {
      c -= 0x10000;
      out += String.fromCharCode(0xd800 + (c >> 10), 0xdc00 + (c & 1023));
    } else out += String.fromCharCode(c);
  }
  return out;
}
