import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { InputKind } from '../src/inspection/inputs.js'
import { sqlInjection } from '../src/inspection/rules/sqli.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(sqlInjection, 'sqli', { everyFragmentFromInput: true })

/** Attack, rule id, a piece the fragment must hold; kind `body` unless given. */
const ATTACKS: readonly [string, string, string, InputKind?][] = [
  ['1 union all select 1,2,3--', 'sqli.union-select', 'union all select'],
  ["-1'/**/union/**/select/**/null,null--", 'sqli.union-select', 'union/**/select'],
  ['1 union%0bselect password from users', 'sqli.union-select', 'union'],
  ['/*!50000union*/ /*!50000select*/ 1,2', 'sqli.union-select', 'union*/'],
  ['1+union+select+1,2,3', 'sqli.union-select', 'union+select'],
  ['xunionselectfrom', 'sqli.union-select', 'unionselect'],
  // A probe that stops at `select`, after what closes the app's string or expression (fuzzdb).
  ["' UNION SELECT", 'sqli.union-select', "' union select"],
  ['1) union all select ', 'sqli.union-select', 'union all select'],
  ['1 uni/**/on sel/**/ect', 'sqli.comment-evasion', 'uni/**/on'],
  // Catalogue probes and T-SQL / PL-SQL execution (fuzzdb).
  ['select user from sysibm.sysdummy1;', 'sqli.schema-probe', 'sysibm.sysdummy1'],
  ['select * from pg_group;', 'sqli.schema-probe', 'pg_group'],
  ["select current_setting('data_directory');", 'sqli.schema-probe', 'current_setting('],
  ["1 and user_name() = 'dbo'", 'sqli.schema-probe', 'user_name()'],
  ['declare @q nvarchar (200) 0x73 exec(@q)', 'sqli.stacked-query', 'declare @q'],
  ['1 exec sp_configure', 'sqli.stacked-query', 'exec sp_'],
  ["'; execute immediate 'sel' || 'ect us' || 'er'", 'sqli.stacked-query', 'execute immediate'],
  ["admin' or '1'='1'--", 'sqli.tautology', "' or '1'='1"],
  ['") or ("a"="a', 'sqli.tautology', '") or'],
  ["' or ''='", 'sqli.tautology', "' or ''"],
  ["') or true--", 'sqli.tautology', 'or true'],
  ['1 or 1=1', 'sqli.tautology', 'or 1=1'],
  ["x'/**/or/**/1=1#", 'sqli.tautology', 'or/**/1=1'],
  ["' OR username IS NOT NULL OR username = '", 'sqli.tautology', "' or username"],
  ["'-'", 'sqli.quote-break', "'-'"],
  ["aa'!='1", 'sqli.quote-break', "'!='1"],
  ["'glob 1;", 'sqli.quote-break', 'glob 1'],
  ["1' order by 3#", 'sqli.quote-break', 'order by 3'],
  ["3' ' 1", 'sqli.quote-break', "' ' 1"],
  ["admin'--", 'sqli.comment-after-quote', "'--"],
  ["admin'#", 'sqli.comment-after-quote', "'#"],
  ['admin"/*', 'sqli.comment-after-quote', '"/*'],
  ['1; drop table users--', 'sqli.stacked-query', '; drop table users'],
  ["'; exec master..xp_cmdshell 'dir'--", 'sqli.stacked-query', '; exec master'],
  ['1; declare @q varchar(99)', 'sqli.stacked-query', 'declare @q'],
  ['1 and sleep(5)', 'sqli.time-based', 'sleep(5)'],
  ["1 waitfor delay '0:0:5'--", 'sqli.time-based', 'waitfor delay'],
  ['benchmark(5000000,md5(1))', 'sqli.time-based', 'benchmark(5000000'],
  ['1||pg_sleep(5)--', 'sqli.time-based', 'pg_sleep(5)'],
  ['1 and extractvalue(1,concat(0x7e,version()))', 'sqli.error-based', 'extractvalue('],
  ['updatexml(1,concat(0x7e,user()),1)', 'sqli.error-based', 'updatexml('],
  ['1 and 5650=5650', 'sqli.tautology', 'and 5650=5650'],
  ['convert(int,@@version)', 'sqli.error-based', 'convert(int'],
  ['select lo_get(16400)', 'sqli.file-access', 'lo_get('],
  ["encode(lo_get(16400),'base64')::int", 'sqli.error-based', 'encode('],
  ["1 and load_file('/etc/passwd')", 'sqli.file-access', 'load_file('],
  ["select 1 into outfile '/var/www/x.php'", 'sqli.file-access', 'into outfile'],
  ["exec xp_cmdshell 'whoami'", 'sqli.file-access', 'xp_cmdshell'],
  ['select table_name from information_schema.tables', 'sqli.schema-probe', 'information_schema'],
  // Third round on fuzzdb's lists.
  ["admin' or '", 'sqli.quote-break', "' or '"],
  ['1)) or ((1=1', 'sqli.tautology', 'or ((1=1'],
  ['1or1=1', 'sqli.tautology', '1or1=1'],
  ["'||UTL_HTTP.REQUEST", 'sqli.error-based', 'utl_http.'],
  ["x'||dbms_pipe.receive_message", 'sqli.error-based', 'dbms_pipe.'],
  ["\\'; desc users; --", 'sqli.stacked-query', '; desc users;'],
  ['PRINT @@variable', 'sqli.schema-probe', 'print @@variable'],
  ["BACKUP database master to disks='\\\\host\\b.dat'", 'sqli.file-access', 'backup database master'],
  ["copy myfile from '/etc/passwd';", 'sqli.file-access', 'copy myfile from'],
  ['1 and @@version', 'sqli.schema-probe', '@@version'],
  ['select @version', 'sqli.schema-probe', 'select @version'],
  ['char(73)+char(78)+char(74)', 'sqli.char-concat', 'char(73)'],
  ['concat(0x3a,user())', 'sqli.char-concat', 'concat(0x3a'],
  ['1 and (select count(*) from users)>0', 'sqli.subquery', '(select count'],
  ['1 order by 5--', 'sqli.order-by', 'order by 5'],
  ['1 having 1=1', 'sqli.order-by', 'having 1=1'],
  ['-1#%0aunion', 'sqli.comment-evasion', '#\nunion'],
  ['/*!50000select*/ 1', 'sqli.comment-evasion', '/*!50000select'],
  ['@version/*', 'sqli.comment-evasion', '@version/*'],
  // A name compared with itself; a comment right after `';` (fuzzdb).
  [' or a=a', 'sqli.tautology', 'or a=a'],
  [') or (a=a', 'sqli.tautology', 'or (a=a'],
  ["'; --", 'sqli.comment-after-quote', "'; --"],
  ["admin'); --", 'sqli.comment-after-quote', "');"],
]

/** Prose, code and names that use SQL words or quotes, each close to one of the rules. */
const BENIGN: readonly string[] = [
  'meet me at union station',
  'the union selected a new leader',
  'union select committee',
  'union select',
  'a union select',
  'a comment /**/ in code',
  'what version() of node do you run?',
  'the exec summary; declare your interest',
  'pg_dump is the backup tool',
  "what's the difference between 'and' and 'or' in logic?",
  '"new york" or "boston"',
  "if (x == 'a' || y === 'b') return",
  'height 5\' 10"',
  "rock 'n' roll",
  'grep "-v" flag',
  'he said "no" -- fine',
  "the smiths' -- party",
  "o'brien's order -- thanks",
  'exec summary attached; comments welcome',
  '1) budget; 2) hiring; 3) "drop" the old crm?',
  'drop table tennis from the club schedule',
  'sleep(8 hours) is the best benchmark for productivity',
  'sleep mask silk',
  'convert (pdf) to word',
  'extract value from json',
  'load the file into the outbox',
  'information about the schema',
  'email me at bob@example.com',
  'char (grilled) fish',
  'concat(a, b) in javascript',
  'choose red and (select one) blue',
  'is it possible to order by price and then by date?',
  'order #4521 -- please cancel',
  '-- best sellers --',
  'use /* and */ for comments',
  'select distinct on (user_id) * from orders order by user_id, created_at desc;',
  "run 'npm install' and then 'npm test'",
  "i said 'hello' and felt like crying",
  'prices from 10 to 20 eur; shipping 4.90',
  'a < b and c > d',
  "SELECT * FROM users WHERE name = 'bob' AND age > 30",
  "how do I escape a quote like O''Brien in sql?",
  '"a" = "b"',
  "const s = 'a' + 'b';",
  // Near the self-comparison and the comment after `';` (fuzzdb).
  'x and y=z',
  'name=name',
  "it's; -- signed",
  // Near the third round's shapes.
  'sort=price; desc',
  "O'Brien or 'Smith",
  "rock 'n' roll or '",
  'version 2or3=ok',
  "'a'||'b'",
  'utl_http.request is an Oracle package',
  "please print @john's report",
  "copy photos from 'my album'",
  'backup database nightly',
]

describe('sqli rule ids', () => {
  for (const [raw, rule, piece, kind] of ATTACKS) {
    it(`${rule}: ${raw}`, () => {
      expectFinding(sqlInjection, raw, kind, rule, piece)
    })
  }

  for (const raw of BENIGN) {
    it(`leaves alone: ${raw}`, () => {
      assert.equal(matchRaw(sqlInjection, raw), undefined)
    })
  }

  it('keeps `high` for unambiguous payloads and lower for weak ones', () => {
    assert.equal(matchRaw(sqlInjection, "admin' or '1'='1'--")?.confidence, 'high')
    assert.equal(matchRaw(sqlInjection, '1 union select 1,2')?.confidence, 'high')
    assert.equal(matchRaw(sqlInjection, 'sleep(5)')?.confidence, 'medium')
    assert.equal(matchRaw(sqlInjection, "3' ' 1")?.confidence, 'low')
  })

  it('runs in time linear in the input', () => {
    const long = `${"' or ".repeat(2000)}${'union /**/'.repeat(500)}${'sleep('.repeat(500)}`
    const started = performance.now()
    matchRaw(sqlInjection, long)
    assert.ok(performance.now() - started < 200)
  })
})
