// `express4` is `npm:express@4` (compatibility tests); its API as used here is typed by @types/express.
declare module 'express4' {
  import express from 'express'
  export default express
}
