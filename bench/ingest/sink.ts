// The wire limit's receiver: reads each request body whole and answers 200, nothing else.
// Runs in its own process so it takes a core like the collector does.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`sink listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
