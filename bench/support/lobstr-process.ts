// The fake Lobstr in a process of its own, as Lobstr is: serving and serializing result pages must
// take no time from the ingestion being timed. Argument: the number of generated results every run
// holds. Prints its base URL as its first line; then each line read on stdin is a run id made a
// finished run of those results, answered by the same id once it is. Stops when stdin closes.
import { createInterface } from 'node:readline';
import { generateLobstrResults, startFakeLobstr } from '@auto-prospect/testkit';

const results = generateLobstrResults(Number(process.argv[2])).results;
const fake = await startFakeLobstr({ apiKey: 'bench', resultsPerSecond: 1_000_000 });
process.stdout.write(`${fake.baseUrl}\n`);
for await (const id of createInterface({ input: process.stdin })) {
  fake.runs.set(id, { id, squid: 'b'.repeat(32), status: 'done', results });
  process.stdout.write(`${id}\n`);
}
await fake.close();
