// Amounts typed in forms, as the API's Decimal strings.

/** A number as a plain decimal string (no exponent), at most `digits` decimals. */
export function decimalText(n: number, digits = 4): string {
  const s = n.toFixed(digits);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Three letters (an ISO 4217 code, in either case). */
export function isCurrency(v: string): boolean {
  return /^[A-Za-z]{3}$/.test(v.trim());
}
