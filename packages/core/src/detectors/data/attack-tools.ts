/**
 * What attack tools leave in a request: their User-Agent, headers of their own, and the
 * out-of-band callback hosts they plant in headers. Data only; attack-tool.ts matches it.
 *
 * Sources (facts, no code copied):
 * - OWASP CoreRuleSet `rules/scanners-user-agents.data` (rule 913100; v4, at 2cbd1d019cb7): the
 *   curated list of scanner User-Agent substrings; and the same file before its 2023 overhaul
 *   (482b5a04c^, CRS v3) for older tools (Paros, WebInspect, Pangolin, bsqlbf, cgichk, …).
 * - OWASP CoreRuleSet `rules/scanners-headers.data` (rule 913110), removed in v4.0 and read at the
 *   commit before its removal (160fb070d^): Acunetix's `Acunetix-*` headers, `X-Scanner`,
 *   `X-Ratproxy-Loop`, the `myvar=1234` cookie, the CVE-2011-3192 `Range` probe.
 * - The tools' own default User-Agents, from their source: sqlmap (`sqlmap/<v> (https://sqlmap.org)`),
 *   Nikto (`Mozilla/5.00 (Nikto/<v>) (Evasions:…)`), Nmap NSE (`… Nmap Scripting Engine …`), ffuf
 *   (`Fuzz Faster U Fool v<v>`), gobuster, feroxbuster, WPScan, masscan, ZGrab (`Mozilla/5.0
 *   zgrab/0.x`), skipfish (`Mozilla/5.0 SF/<v>`), THC Hydra (`Mozilla/4.0 (Hydra)`), the
 *   ProjectDiscovery tools (`… (github.com/projectdiscovery/<tool>)`), Nessus (`Nessus NASL`).
 * - Out-of-band testing services' public domains: interactsh's public servers (`oast.pro`,
 *   `oast.live`, `oast.site`, `oast.online`, `oast.fun`, `oast.me`, `interact.sh`), Burp
 *   Collaborator (`burpcollaborator.net`, `oastify.com`), Acunetix AcuMonitor (`bxss.me`), and the
 *   DNS-log services of exploit kits (`dnslog.cn`, `ceye.io`).
 *
 * Not listed on purpose: HTTP libraries and CLIs (curl, Wget, python-requests, Go-http-client,
 * okhttp, axios), monitors and search or AI crawlers — ordinary clients, not attack tools — and
 * names too common to stand alone (CRS's `vega` is matched as a whole word only).
 */

/** A User-Agent substring (matched without case) and the tool it names. */
export interface ToolAgent {
  readonly match: string
  readonly tool: string
  /** Only as a whole word: no letter or digit right before or after it. */
  readonly word?: boolean
}

export const USER_AGENTS: readonly ToolAgent[] = [
  // OWASP CRS scanners-user-agents.data
  { match: 'arachni', tool: 'Arachni' },
  { match: 'betabot', tool: 'Betabot' },
  { match: 'bewica-security-scan', tool: 'Bewica' },
  { match: 'bfac', tool: 'BFAC', word: true },
  { match: 'commix', tool: 'Commix' },
  { match: 'detectify', tool: 'Detectify' },
  { match: 'dirbuster', tool: 'DirBuster' },
  { match: 'fimap', tool: 'fimap', word: true },
  { match: 'fuzz faster', tool: 'ffuf' },
  { match: 'whatwaf', tool: 'WhatWaf' },
  { match: 'gobuster', tool: 'gobuster' },
  { match: 'havij', tool: 'Havij' },
  { match: 'hexometer', tool: 'Hexometer' },
  { match: 'jbrofuzz', tool: 'JBroFuzz' },
  { match: 'jorgee', tool: 'Jorgee' },
  { match: 'libwhisker', tool: 'libwhisker' },
  { match: 'masscan', tool: 'masscan' },
  { match: 'morfeus', tool: 'Morfeus' },
  { match: 'mozlila', tool: 'Mozlila bot' },
  { match: 'mozilla/5.g', tool: 'Mozilla/5.g bot' },
  { match: 'nessus', tool: 'Nessus' },
  { match: 'netlab360', tool: 'Netlab 360' },
  { match: 'netsparker', tool: 'Netsparker' },
  { match: 'nettacker', tool: 'OWASP Nettacker' },
  { match: 'nikto', tool: 'Nikto' },
  { match: 'nmap', tool: 'Nmap', word: true },
  { match: 'nuclei', tool: 'Nuclei' },
  { match: 'openvas', tool: 'OpenVAS' },
  { match: 'securityagent', tool: 'AWS Security Agent' },
  { match: 'sitelockspider', tool: 'SiteLock' },
  { match: 'sqlmap', tool: 'sqlmap' },
  { match: 'sysscan', tool: 'sysscan' },
  { match: 'tsunamisecurityscanner', tool: 'Tsunami' },
  { match: 'w3af', tool: 'w3af' },
  { match: 'webbandit', tool: 'WebBandit' },
  { match: 'webshag', tool: 'webshag' },
  { match: 'wfuzz', tool: 'Wfuzz' },
  { match: 'whatweb', tool: 'WhatWeb' },
  { match: 'wprecon', tool: 'WPrecon' },
  { match: 'wpscan', tool: 'WPScan' },
  { match: 'feroxbuster', tool: 'feroxbuster' },
  { match: 'l9explore', tool: 'LeakIX l9explore' },
  { match: 'l9tcpid', tool: 'LeakIX l9tcpid' },
  { match: 'wapiti', tool: 'Wapiti' },
  { match: 'vega/', tool: 'Vega' }, // CRS v3's form: v4's bare `vega` is also a phone's name
  { match: 'appspider', tool: 'AppSpider' },
  { match: 'ironwasp', tool: 'IronWASP' },
  { match: 'skipfish', tool: 'skipfish' },
  { match: 'qualysguard', tool: 'QualysGuard' },
  { match: 'n-stalker', tool: 'N-Stalker' },
  { match: 'acunetix', tool: 'Acunetix' },
  { match: 'cmsmap', tool: 'CMSmap' },
  { match: 'sqlninja', tool: 'sqlninja' },
  { match: 'xsstrike', tool: 'XSStrike' },
  { match: 'xsser', tool: 'XSSer', word: true },
  { match: 'joomscan', tool: 'JoomScan' },
  { match: 'droopescan', tool: 'droopescan' },
  { match: 'zgrab', tool: 'ZGrab' },
  { match: 'ghauri', tool: 'Ghauri' },
  { match: 'zmeu', tool: 'ZmEu', word: true },
  { match: 'wpprobe', tool: 'WPProbe' },
  { match: 'sstimap', tool: 'SSTImap' },
  { match: '(hydra)', tool: 'THC Hydra' },
  { match: 'tplmap', tool: 'Tplmap' },
  { match: 'dotdotpwn', tool: 'DotDotPwn' },
  { match: 'shortscan', tool: 'shortscan' },
  { match: 'kadimus', tool: 'Kadimus' },
  { match: 'lfisuite', tool: 'LFISuite' },
  { match: '(compatible; panoptic', tool: 'Panoptic' },
  { match: 'lfimap', tool: 'LFImap' },
  { match: 'graphw00f', tool: 'graphw00f' },
  { match: 'graphql-cop', tool: 'GraphQL Cop' },
  { match: 'jsql', tool: 'jSQL Injection', word: true },
  { match: 'noseyparker', tool: 'Nosey Parker' },
  { match: 'trufflehog', tool: 'TruffleHog' },
  { match: 'yeswehack-hunter', tool: 'YesWeHack' },
  { match: 'tinja', tool: 'TInjA', word: true },
  { match: 'appscan', tool: 'AppScan', word: true },
  // OWASP CRS v3 scanners-user-agents.data (before the 2023 overhaul): tools since dropped from v4
  { match: '.nasl', tool: 'Nessus' },
  { match: 'absinthe', tool: 'Absinthe', word: true },
  { match: 'bilbo', tool: 'Bilbo', word: true },
  { match: 'brutus', tool: 'Brutus', word: true },
  { match: 'bsqlbf', tool: 'bsqlbf' },
  { match: 'burpcollaborator', tool: 'Burp Collaborator' },
  { match: 'cgichk', tool: 'cgichk' },
  { match: 'cisco-torch', tool: 'Cisco Torch' },
  { match: 'crimscanner/', tool: 'CrimScanner' },
  { match: 'datacha0s', tool: 'DataCha0s' },
  { match: 'domino hunter', tool: 'Domino Hunter' },
  { match: 'f-secure radar', tool: 'F-Secure Radar' },
  { match: 'fhscan core 1.', tool: 'FHScan' },
  { match: 'gootkit auto-rooter scanner', tool: 'Gootkit auto-rooter' },
  { match: 'grendel-scan', tool: 'Grendel-Scan' },
  { match: 'inspath', tool: 'inspath', word: true },
  { match: 'metis', tool: 'Metis', word: true },
  { match: 'mysqloit', tool: 'MySqloit' },
  { match: 'n-stealth', tool: 'N-Stealth' },
  { match: 'nsauditor', tool: 'Nsauditor' },
  { match: 'pangolin', tool: 'Pangolin', word: true },
  { match: 'paros/', tool: 'Paros' },
  { match: 'pmafind', tool: 'pmafind' },
  { match: 'qualys was', tool: 'Qualys WAS' },
  { match: 's.t.a.l.k.e.r.', tool: 'S.T.A.L.K.E.R.' },
  { match: 'springenwerk', tool: 'Springenwerk' },
  { match: 'sql power injector', tool: 'SQL Power Injector' },
  { match: 'struts-pwn', tool: 'struts-pwn' },
  { match: 'tbi-webscanner', tool: 'TBI-WebScanner' },
  { match: 'teh forest lobster', tool: 'teh forest lobster' },
  { match: 'this is an exploit', tool: 'exploit kit' },
  { match: 'toata dragostea', tool: 'ZmEu' },
  { match: 'uil2pn', tool: 'uil2pn' },
  { match: 'user-agent:', tool: 'broken scanner User-Agent' },
  { match: 'voideye', tool: 'VoidEye' },
  { match: 'webinspect', tool: 'WebInspect' },
  { match: 'webtrends security analyzer', tool: 'WebTrends Security Analyzer' },
  { match: 'webvulnscan', tool: 'webvulnscan' },
  { match: 'whcc/', tool: 'WHCC' },
  { match: 'wordpress hash grabber', tool: 'WordPress hash grabber' },
  { match: 'xmlrpc exploit', tool: 'xmlrpc exploit' },
  // The tools' own default User-Agents
  { match: 'nmap scripting engine', tool: 'Nmap' },
  { match: 'mozilla/5.0 sf/', tool: 'skipfish' },
  { match: 'github.com/projectdiscovery', tool: 'ProjectDiscovery' },
]

/** Request headers (lower case) that only scanners send; a name ending in `-` is a prefix. */
export const SCANNER_HEADERS: ReadonlyArray<{ readonly name: string; readonly tool: string }> = [
  { name: 'acunetix-', tool: 'Acunetix' },
  { name: 'x-scanner', tool: 'Netsparker' },
  { name: 'x-ratproxy-loop', tool: 'ratproxy' },
]

/** Header values that scanners send: the header (lower case), the start of its value, the tool. */
export const SCANNER_VALUES: ReadonlyArray<{
  readonly header: string
  readonly prefix: string
  readonly tool: string
}> = [
  // CVE-2011-3192 ("Apache Killer") check: overlapping ranges, as vulnerability scanners send it.
  { header: 'range', prefix: 'bytes=0-,5-0,5-1,5-2', tool: 'CVE-2011-3192 scanner' },
  { header: 'cookie', prefix: 'myvar=1234', tool: 'Acunetix' },
]

/**
 * Out-of-band callback domains: a scanner plants `<random>.<domain>` in a header or a parameter and
 * waits for the DNS or HTTP callback. Matched after a dot (`x.oast.pro`), never as a bare word.
 */
export const CALLBACK_DOMAINS: ReadonlyArray<{ readonly domain: string; readonly tool: string }> = [
  { domain: 'oast.pro', tool: 'interactsh' },
  { domain: 'oast.live', tool: 'interactsh' },
  { domain: 'oast.site', tool: 'interactsh' },
  { domain: 'oast.online', tool: 'interactsh' },
  { domain: 'oast.fun', tool: 'interactsh' },
  { domain: 'oast.me', tool: 'interactsh' },
  { domain: 'interact.sh', tool: 'interactsh' },
  { domain: 'interactsh.com', tool: 'interactsh' },
  { domain: 'burpcollaborator.net', tool: 'Burp Collaborator' },
  { domain: 'oastify.com', tool: 'Burp Collaborator' },
  { domain: 'bxss.me', tool: 'Acunetix AcuMonitor' },
  { domain: 'dnslog.cn', tool: 'DNSLog' },
  { domain: 'ceye.io', tool: 'CEYE' },
]
