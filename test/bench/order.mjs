// The 4 KB JSON order the benchmarks POST (frameworks.bench.mjs's `json` traffic, instructions.mjs's
// `order`, packages/core/bench/inspection.bench.ts). Its own module, without dependencies: the
// instruction-count server imports the client side of its traffic and must not carry the rest.

/** Bytes of the JSON body of POST /json. */
export const JSON_BODY_BYTES = 4096

/**
 * A realistic order of exactly `bytes` bytes of JSON: a customer, two addresses and line items, the
 * last field padded with a delivery note.
 */
function orderJson(bytes) {
  const products = [
    ['SKU-10042', 'Stainless steel water bottle, 750 ml', 18.9],
    ['SKU-20417', 'Organic cotton t-shirt, crew neck', 24.5],
    ['SKU-31008', 'Noise-cancelling headphones', 149],
    ['SKU-40215', 'Hardcover notebook, dotted, A5', 12.75],
    ['SKU-52290', 'USB-C charging cable, 2 m, braided', 9.99],
    ['SKU-61103', 'Ceramic pour-over coffee dripper', 27],
  ]
  const address = {
    name: 'Alex Martin',
    line1: '12 Rue des Lilas',
    line2: 'Apartment 4B',
    city: 'Lyon',
    postalCode: '69003',
    country: 'FR',
    phone: '+33 4 72 00 00 00',
  }
  const order = {
    orderId: 'ord_01HZX3K9Q2W8E5R7T6Y4U1I0OP',
    createdAt: '2026-11-27T10:15:30.000Z',
    currency: 'EUR',
    customer: {
      id: 'cus_8f14e45fceea167a',
      email: 'alex.martin@example.com',
      locale: 'fr-FR',
      marketing: false,
    },
    shipping: { method: 'standard', address },
    billing: { sameAsShipping: false, address: { ...address, line2: '' } },
    payment: { method: 'card', brand: 'visa', last4: '4242', threeDSecure: true },
    coupon: 'AUTUMN10',
    items: [],
    note: '',
  }
  for (let i = 0; JSON.stringify(order).length < bytes - 300; i++) {
    const [sku, name, unitPrice] = products[i % products.length]
    order.items.push({
      sku,
      name,
      qty: 1 + (i % 3),
      unitPrice,
      options: { gift: i % 4 === 0, color: ['slate', 'sand', 'forest'][i % 3] },
    })
  }
  const text = 'Please leave the parcel with the concierge if nobody answers the door. '
  const missing = bytes - JSON.stringify(order).length
  order.note = text.repeat(Math.ceil(missing / text.length)).slice(0, missing)
  const json = JSON.stringify(order)
  if (json.length !== bytes) throw new Error(`order body is ${json.length} bytes, not ${bytes}`)
  return json
}

export const ORDER = orderJson(JSON_BODY_BYTES)
