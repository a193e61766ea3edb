/**
 * Paths that only scanners ask for: leaked config and VCS files, admin consoles of software the app
 * is not, backups. A request for one is a probe whatever the response. Checked with plain string
 * comparisons on the lowercased path (no regex, linear in the path length).
 */
const PREFIXES = [
  '/.env',
  '/.git/',
  '/.git',
  '/.svn/',
  '/.hg/',
  '/.aws/',
  '/.ssh/',
  '/.htaccess',
  '/.htpasswd',
  '/.ds_store',
  '/.vscode/',
  '/.idea/',
  '/wp-admin',
  '/wp-login.php',
  '/wp-content/',
  '/wp-includes/',
  '/xmlrpc.php',
  '/phpmyadmin',
  '/pma/',
  '/adminer',
  '/vendor/phpunit/',
  '/cgi-bin/',
  '/server-status',
  '/actuator',
  '/console/',
  '/manager/html',
  '/etc/passwd',
  '/config.php',
  '/configuration.php',
  '/web.config',
  '/backup',
  '/dump.sql',
  '/database.sql',
  '/id_rsa',
]

const SUFFIXES = [
  '.bak',
  '.old',
  '.orig',
  '.swp',
  '.save',
  '~',
  '.sql',
  '.tar.gz',
  '.tgz',
  '.zip',
  '.rar',
  '.7z',
  '.php',
]

/** Longest path inspected; a longer one is judged on its first part only. */
const MAX_PATH = 512

export function isScannerPath(path: string): boolean {
  const p = (path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path).toLowerCase()
  for (const prefix of PREFIXES) if (p.startsWith(prefix)) return true
  for (const suffix of SUFFIXES) if (p.endsWith(suffix)) return true
  return false
}
