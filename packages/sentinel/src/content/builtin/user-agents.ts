/**
 * The user-agent list Microsoft's "Known malicious user agent" and "hacking tool" rules read at run
 * time: `Sample Data/Feeds/UnusualUserAgents.csv` of Azure/Azure-Sentinel (spec/azure/asim-analytics.md).
 * Copied as published, spaces included: the rules match ` zmeu ` with its spaces.
 */

export type UserAgentCategory = 'Cryptominer' | 'Hacking Tool' | 'Powershell'

export interface UnusualUserAgent {
  readonly userAgent: string
  readonly category: UserAgentCategory
}

const tool = (userAgent: string): UnusualUserAgent => ({ userAgent, category: 'Hacking Tool' })

export const UNUSUAL_USER_AGENTS: readonly UnusualUserAgent[] = [
  { userAgent: 'XMRig', category: 'Cryptominer' },
  { userAgent: 'ccminer', category: 'Cryptominer' },
  tool('(hydra)'),
  tool(' arachni/'),
  tool(' BFAC '),
  tool(' brutus '),
  tool(' cgichk '),
  tool('core-project/1.0'),
  tool(' crimscanner/'),
  tool('datacha0s'),
  tool('dirbuster'),
  tool('domino hunter'),
  tool('dotdotpwn'),
  tool('FHScan Core'),
  tool('floodgate'),
  tool('get-minimal'),
  tool('gootkit auto-rooter scanner'),
  tool('grendel-scan'),
  tool(' inspath '),
  tool('internet ninja'),
  tool('jaascois'),
  tool(' zmeu '),
  tool('masscan'),
  tool(' metis '),
  tool('morfeus fucking scanner'),
  tool('n-stealth'),
  tool('nsauditor'),
  tool('pmafind'),
  tool('security scan'),
  tool('springenwerk'),
  tool('teh forest lobster'),
  tool('toata dragostea'),
  tool(' vega/'),
  tool('voideye'),
  tool('webshag'),
  tool('webvulnscan'),
  tool(' whcc/'),
  tool(' Havij'),
  tool('absinthe'),
  tool('bsqlbf'),
  tool('mysqloit'),
  tool('pangolin'),
  tool('sql power injector'),
  tool('sqlmap'),
  tool('sqlninja'),
  tool('uil2pn'),
  tool('ruler'),
  tool(
    'Mozilla/5.0 (Windows; U; Windows NT 5.1; pt-PT; rv:1.9.1.2) Gecko/20090729 Firefox/3.5.2 (.NET CLR 3.5.30729)',
  ),
  { userAgent: 'WindowsPowerShell', category: 'Powershell' },
]
