/** Members and their linked wallets and subscriptions. */
export function MembersScreen() {
  return <section className="members-screen" data-testid="members-screen" />;
}
