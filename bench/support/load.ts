// A load generator in a process of its own (so it takes no time from the server it measures):
// autocannon POSTing JSON bodies to one URL. Arguments: a JSON object { url, connections, seconds,
// body } where `body` is a template whose "<id>" becomes a new 32-hex id in every request.
// Prints autocannon's figures as one JSON line.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

const { url, connections, seconds, body } = JSON.parse(process.argv[2]!) as {
  url: string;
  connections: number;
  seconds: number;
  body: string;
};

const result = await autocannon({
  url,
  connections,
  duration: seconds,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [
    { setupRequest: (request) => ({ ...request, body: body.replace('<id>', randomBytes(16).toString('hex')) }) },
  ],
});
console.log(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
  }),
);
