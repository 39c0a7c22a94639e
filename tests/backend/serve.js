// Starts a test server on 127.0.0.1 (port 0: any free one) and answers its origin and a close
// that also ends kept-alive connections, so a test never waits for them.
export async function serve(server, port = 0) {
  server.keepAliveTimeout = 1000
  await new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) })
  }
}
