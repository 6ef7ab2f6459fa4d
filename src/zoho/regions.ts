// Zoho's data centres: accounts server (OAuth) and API domain (aep-api.md §14).
import { UsageError } from '../core/errors.js';

export interface ZohoRegion {
  accountsUrl: string;
  apiDomain: string;
}

export const ZOHO_REGIONS: Record<string, ZohoRegion> = {
  us: { accountsUrl: 'https://accounts.zoho.com', apiDomain: 'https://www.zohoapis.com' },
  eu: { accountsUrl: 'https://accounts.zoho.eu', apiDomain: 'https://www.zohoapis.eu' },
  in: { accountsUrl: 'https://accounts.zoho.in', apiDomain: 'https://www.zohoapis.in' },
  au: { accountsUrl: 'https://accounts.zoho.com.au', apiDomain: 'https://www.zohoapis.com.au' },
  jp: { accountsUrl: 'https://accounts.zoho.jp', apiDomain: 'https://www.zohoapis.jp' },
  cn: { accountsUrl: 'https://accounts.zoho.com.cn', apiDomain: 'https://www.zohoapis.com.cn' },
  ca: { accountsUrl: 'https://accounts.zohocloud.ca', apiDomain: 'https://www.zohoapis.ca' },
  sa: { accountsUrl: 'https://accounts.zoho.sa', apiDomain: 'https://www.zohoapis.sa' },
};

export function zohoRegion(code: string): ZohoRegion {
  const region = ZOHO_REGIONS[code.trim().toLowerCase()];
  if (!region) {
    throw new UsageError(`Unknown Zoho data centre '${code}'.`, {
      hint: `Use one of: ${Object.keys(ZOHO_REGIONS).join(', ')} (the domain you sign in to Zoho at: zoho.com is us, zoho.eu is eu, …).`,
    });
  }
  return region;
}
