/** On the report screen: print the day's Z report. */
export function ReportPrintButton(_props: { day: string; training?: boolean | undefined }) {
  return null;
}
