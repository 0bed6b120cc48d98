/**
 * Which orders a partner receives. A partner with `countries` gets only parcels to those
 * destinations; `exceptCountries` excludes destinations (e.g. the default carrier hands EU
 * parcels to a second carrier). No scope: every order. Never passed on except to deliver.
 */
export interface PartnerScope {
  readonly countries?: readonly string[] | undefined;
  readonly exceptCountries?: readonly string[] | undefined;
}

export function partnerServes(partner: PartnerScope, destinationCountry: string): boolean {
  if (partner.countries && !partner.countries.includes(destinationCountry)) return false;
  return !partner.exceptCountries?.includes(destinationCountry);
}

/** The partners an order to `destinationCountry` goes to. */
export function partnersFor<P extends PartnerScope>(partners: readonly P[], destinationCountry: string): P[] {
  return partners.filter((p) => partnerServes(p, destinationCountry));
}
