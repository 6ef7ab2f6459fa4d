// Adobe's source IP ranges per AEP region (aep-api.md §16, from Adobe's "IP address allow list
// for sources"): what a Zoho CRM admin must allow so that Adobe's connector can reach the CRM.
import { UsageError } from '../core/errors.js';

export const ALLOWLIST: Record<string, { name: string; ranges: string[] }> = {
  va7: {
    name: 'VA7 (North America)',
    ranges: [
      '20.42.2.0/23',
      '20.42.4.0/26',
      '20.42.64.0/28',
      '20.49.111.0/29',
      '40.71.14.32/28',
      '40.78.229.96/28',
      '20.41.2.0/23',
      '20.41.4.0/26',
      '20.44.17.80/28',
      '20.49.102.16/29',
      '40.70.148.160/28',
      '52.167.107.224/28',
      '52.138.119.167',
    ],
  },
  nld2: {
    name: 'NLD2 (Europe)',
    ranges: [
      '13.69.67.192/28',
      '13.69.107.112/28',
      '13.69.112.128/28',
      '40.74.24.192/26',
      '40.74.26.0/23',
      '40.113.176.232/29',
      '52.236.187.112/28',
    ],
  },
  aus5: {
    name: 'AUS5 (Australia)',
    ranges: [
      '13.70.74.144/28',
      '20.37.193.0/25',
      '20.37.193.128/26',
      '20.37.198.224/29',
      '20.53.45.0/24',
      '20.53.46.0/26',
      '40.79.163.80/28',
      '40.79.171.160/28',
    ],
  },
  can2: {
    name: 'CAN2 (Canada)',
    ranges: [
      '13.71.175.80/28',
      '20.38.147.224/28',
      '20.48.201.0/26',
      '20.116.47.72/29',
      '52.228.80.128/25',
      '52.228.81.0/26',
      '52.228.86.144/29',
      '52.246.155.224/28',
    ],
  },
};

/** An AEP region's ranges, or a UsageError listing the known regions. */
export function allowlistFor(region: string): { region: string; name: string; ranges: string[] } {
  const code = region.trim().toLowerCase();
  const entry = ALLOWLIST[code];
  if (!entry)
    throw new UsageError(`Unknown AEP region '${region}'.`, {
      hint: `Known regions: ${Object.keys(ALLOWLIST).join(', ')}.`,
    });
  return { region: code, ...entry };
}
