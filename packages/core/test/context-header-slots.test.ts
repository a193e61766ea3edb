import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { describe, it } from 'node:test'
import { HeaderSlots, headerOf, headerText } from '../src/context/header-slots.js'
import { createContextFactory } from '../src/context/request-context.js'

/** A request as Node's parser leaves it, from the header lines `raw` (name, value, name, …) sent over a socket. */
async function request(raw: string[]): Promise<IncomingMessage> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const received = once(server, 'request') as Promise<[IncomingMessage, ServerResponse]>
  const socket = connect(port, '127.0.0.1')
  socket.resume() // the answer is read and dropped, so that the socket can close
  const closed = once(socket, 'close')
  // HTTP/1.1 wants a Host: Node answers 400 to a request without one.
  let head = raw.some((name) => name.toLowerCase() === 'host') ? 'GET / HTTP/1.1\r\n' : 'GET / HTTP/1.0\r\n'
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`
  socket.end(`${head}Connection: close\r\n\r\n`)
  const [req, res] = await Promise.race([
    received,
    closed.then(() => assert.fail('the server answered without a request event')),
  ])
  res.end()
  await closed
  server.close()
  return req
}

const OPTIONS = {
  trustProxy: false,
  traceparent: true,
  requestIdHeaders: ['X-Request-Id'],
  responseHeader: false,
  maxLength: 128,
} as const

describe('header slots', () => {
  it('gives a name one slot, whatever its case and whoever asks', () => {
    const slots = new HeaderSlots()
    const a = slots.slot('Origin')
    assert.equal(slots.slot('origin'), a)
    assert.equal(a.name, 'origin')
    assert.notEqual(slots.slot('cookie').index, a.index)
  })

  it('reads what the headers object holds, as reading it by name does', async () => {
    const slots = new HeaderSlots()
    const names = ['user-agent', 'cookie', 'x-forwarded-for', 'set-cookie', 'referer', 'origin', 'absent']
    const wanted = names.map((n) => slots.slot(n))
    const req = await request([
      'User-Agent', 'curl/8.5.0',
      'Cookie', 'a=1', 'cookie', 'b=2',
      'X-Forwarded-For', '203.0.113.7', 'x-forwarded-for', '198.51.100.1',
      'Set-Cookie', 'c=3', 'Set-Cookie', 'd=4',
      'Referer', 'https://one.example/', 'Referer', 'https://two.example/',
      'Host', 'shop.example.com',
    ]) // biome-ignore format: name and value pairs
    const values = slots.read(req.headers)
    assert.equal(values.length, names.length)
    for (const slot of wanted) assert.deepEqual(values[slot.index], req.headers[slot.name], slot.name)
    assert.equal(values[wanted[1]!.index], 'a=1; b=2')
    assert.deepEqual(values[wanted[3]!.index], ['c=3', 'd=4'])
    assert.equal(values[wanted[6]!.index], undefined)
  })

  it('does not take a header from a polluted prototype', () => {
    const slots = new HeaderSlots()
    const slot = slots.slot('x-polluted')
    const headers = Object.create({ 'x-polluted': 'from the prototype' }) as Record<string, string>
    headers.host = 'x'
    assert.equal(slots.read(headers)[slot.index], undefined)
  })

  it('a context reads its slots; one given after it was created is read by name', async () => {
    const slots = new HeaderSlots()
    const origin = slots.slot('origin')
    const factory = createContextFactory({ ...OPTIONS, headers: slots })
    const ctx = factory.create(
      await request([
        'Origin',
        'https://evil.example',
        'X-Request-Id',
        'req-12345678',
        'Accept',
        'a',
        'Accept',
        'b',
      ]),
    )
    assert.equal(headerText(ctx, origin), 'https://evil.example')
    assert.equal(ctx.requestId, 'req-12345678')
    assert.equal(ctx.correlationSource, 'header')
    const late = slots.slot('accept')
    assert.equal(headerOf(ctx, late), 'a, b')
    assert.equal(headerText(ctx, slots.slot('x-none')), undefined)
  })

  it("the context's own header fields come from its slots", async () => {
    const factory = createContextFactory({ ...OPTIONS, trustProxy: true })
    const ctx = factory.create(
      await request([
        'Host', 'shop.example.com',
        'User-Agent', 'Mozilla/5.0',
        'Referer', 'https://shop.example.com/',
        'X-Forwarded-For', '203.0.113.7', 'X-Forwarded-For', '198.51.100.1',
        'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      ]), // biome-ignore format: name and value pairs
    )
    assert.equal(ctx.host, 'shop.example.com')
    assert.equal(ctx.userAgent, 'Mozilla/5.0')
    assert.equal(ctx.referer, 'https://shop.example.com/')
    assert.equal(ctx.forwardedFor, '203.0.113.7, 198.51.100.1')
    assert.equal(ctx.clientIp, '203.0.113.7')
    assert.equal(ctx.correlationId, '4bf92f3577b34da6a3ce929d0e0e4736')
  })
})
