// The image's HEALTHCHECK (Dockerfile): asks this container's own server for /readyz (database
// reachable, enough storage nodes answering) over the protocol it serves — plain HTTP when
// COFFER_PLAIN_HTTP is on (behind the proxy), HTTPS otherwise. The certificate is not checked:
// the request never leaves the container and may meet a self-signed certificate. Exit 0 = healthy.
// Plain JavaScript with no imports beyond Node, so it runs in the image as it is.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const plain = ['1', 'true'].includes(process.env.COFFER_PLAIN_HTTP ?? '0');
const port = Number(process.env.COFFER_PORT ?? 8443);
const timeoutMs = Number(process.env.COFFER_HEALTHCHECK_TIMEOUT_MS ?? 4000);

const req = (plain ? httpRequest : httpsRequest)(
  { host: '127.0.0.1', port, path: '/readyz', method: 'GET', rejectUnauthorized: false, timeout: timeoutMs },
  (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      if (res.statusCode === 200) process.exit(0);
      console.error(`/readyz answered ${res.statusCode}: ${body.slice(0, 500)}`);
      process.exit(1);
    });
  },
);
req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
req.on('error', (err) => {
  console.error(`${plain ? 'http' : 'https'}://127.0.0.1:${port}/readyz: ${err.message}`);
  process.exit(1);
});
req.end();
