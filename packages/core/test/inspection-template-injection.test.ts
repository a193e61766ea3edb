// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is attack and benign input text, not a template
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { templateInjection } from '../src/inspection/rules/template-injection.js'
import { corpusSuite, expectFinding, matchRaw } from './support/rule-suite.js'

corpusSuite(templateInjection, 'template_injection', {
  uninspectedHeadersFound: true,
  everyFragmentFromInput: true,
})

describe('template injection rules', () => {
  const cases: [string, string, string][] = [
    ['{{7*7}}', 'template_injection.arithmetic', '{{7*7}'],
    ["{{ 7 * '7' }}", 'template_injection.arithmetic', "{{ 7 * '7' }"],
    ['${7*7}', 'template_injection.arithmetic', '${7*7}'],
    ['#{7*7}', 'template_injection.arithmetic', '#{7*7}'],
    ['<%= 7*7 %>', 'template_injection.arithmetic', '<%= 7*7 %>'],
    ['name=[[5*5]]', 'template_injection.arithmetic', '[[5*5]]'],
    ['@(1+2)', 'template_injection.arithmetic', '@(1+2)'],
    ['{{config}}', 'template_injection.object', '{{config}}'],
    ['{{ config.items() }}', 'template_injection.object', '{{ config.items('],
    ['{{self}}', 'template_injection.object', '{{self}}'],
    // Twig's request and its dump (payloadbox's SSTI list).
    ["{{app.request.server.all|join(',')}}", 'template_injection.object', '{{app.request.'],
    ['{{dump(app)}}', 'template_injection.object', '{{dump(app)'],
    ["{{''.class.mro()[1].subclasses()}}", 'template_injection.python', "{{''.class.mro("],
    ['{% if True %}49{% endif %}', 'template_injection.statement', '{% if true %}'],
    ['{% import os %}{{ os.popen("id").read() }}', 'template_injection.python', '{% import os'],
    [
      '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
      'template_injection.python',
      '{{ cycler.__init__',
    ],
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}", 'template_injection.python', "{{ ''.__class__"],
    ['{{ request|attr("application") }}', 'template_injection.python', '{{ request|attr('],
    ['${self.module.cache.util.os.system("id")}', 'template_injection.python', '${self.module.'],
    ["${T(java.lang.Runtime).getRuntime().exec('id')}", 'template_injection.java', '${t(java.'],
    ['*{T(org.apache.commons.io.IOUtils).toString(x)}', 'template_injection.java', '*{t(org.'],
    [
      "%{(#_memberAccess['allowStaticMethodAccess']=true).(@java.lang.Runtime@getRuntime().exec('id'))}",
      'template_injection.java',
      '(#_memberaccess',
    ],
    [
      '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}',
      'template_injection.java',
      '<#assign',
    ],
    [
      '#set($x=$class.inspect("java.lang.Runtime").type)',
      'template_injection.java',
      '#set($x=$class.inspect',
    ],
    ['<%= system("id") %>', 'template_injection.exec', '<%= system('],
    ['<%= `id` %>', 'template_injection.exec', '<%= `'],
    ["{{constructor.constructor('alert(1)')()}}", 'template_injection.node', '{{constructor.constructor('],
    [
      "#{root.process.mainModule.require('child_process')}",
      'template_injection.node',
      '#{root.process.mainmodule',
    ],
    ['{php}echo `id`;{/php}', 'template_injection.php', '{php}'],
    ["{system('id')}", 'template_injection.php', '{system('],
    ["<%= File.open('/etc/passwd').read %>", 'template_injection.exec', '<%= file.open('],
    [
      '@System.Diagnostics.Process.Start("cmd.exe", "/c whoami")',
      'template_injection.dotnet',
      '@system.diagnostics.process',
    ],
    ["{{['id']|filter('system')}}", 'template_injection.php', "|filter('system"],
  ]
  for (const [raw, rule, fragment] of cases)
    test(`${raw} → ${rule}`, () => {
      expectFinding(templateInjection, raw, 'body', rule, { startsWith: fragment })
    })

  const benign = [
    '{{ order.items | length }} items',
    'call obj.mro() to see the order',
    '{{ dump }} truck',
    'Total: ${price}',
    'Hello {{name}}, your order {{ order.id }} ships {{ date }}',
    'In my template I have `{% for key, value in settings.items() %}{{ key }}: {{ value }}{% endfor %}`',
    '<div dangerouslySetInnerHTML={{ __html: bio }} />',
    '@Value("${app.name}") vs @Value("#{systemProperties[\'user.home\']}")',
    'see [[2023-24 season]] and {3-5} business days, 2*3=6',
    '{"filter": {"status": "open"}, "page": {"size": 50}}',
    'Use ${HOME} in the script, then call system(cmd) from C',
    'class A:\n    def __init__(self): self.d = {}',
    '"{{}}".format(x) then obj.__class__',
    'query GetUser($id: ID!) { user(id: $id) { id name } }',
    'Meet me @(the station) at 5',
    'try { exec("ls") } catch (e) { console.log(e) }',
    '#settings: call system(x) later',
    'mail me @ support, see @sam',
    'new java.lang.ProcessBuilder("ls") is how Java starts a process',
  ]
  for (const raw of benign)
    test(`benign: ${raw}`, () => assert.equal(matchRaw(templateInjection, raw), undefined))
})

describe('template injection cost', () => {
  test('hostile shapes stay linear', () => {
    for (const text of [
      '{{'.repeat(4096),
      '${'.repeat(4096),
      '{{ __class__ '.repeat(600),
      `${'{'.repeat(4000)}os.system(`.repeat(2),
      '<%'.repeat(4096),
      `${'('.repeat(200)}#${'os.system('.repeat(700)}`,
      '{{}os.system('.repeat(585),
      '#set(x)__class__'.repeat(500),
      '{{ 1 1 1 1 1 1 1 '.repeat(400),
    ]) {
      const start = performance.now()
      templateInjection.match(text, 'body', 0)
      assert.ok(performance.now() - start < 50, text.slice(0, 16))
    }
  })
})
