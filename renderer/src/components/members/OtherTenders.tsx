/** On the amount screen, beside Charge: the tenders without a scanned code (member, pay on phone). */
export function OtherTenders() {
  return null;
}
