// After every other scenario (files run in name order): no secret in any Redis key or value of
// the private server (every type dumped) nor in any worker process's log.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { testEnv } from '@auto-prospect/testkit';
import { describeFaults, expectedContacts, report, servers, suiteDir } from './harness.js';

/** Every key with its value rendered as text, whatever the type. */
async function dumpRedis(url: string): Promise<Map<string, string>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const dump = new Map<string, string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : `(${type})`;
        dump.set(key, JSON.stringify(value));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return dump;
}

describeFaults('secret scan', () => {
  it('finds no SMS API key, encryption key, API secret or WhatsApp credential in Redis or the logs', async () => {
    // Run on its own, the scan still needs a day's traffic to look at.
    await expectedContacts();
    const env = testEnv();
    // secret → what it is (keyed by the value: every SMS key and credential is scanned for).
    const secrets = new Map<string, string>([
      [env.SMS_API_KEY_ENCRYPTION_KEY!, 'SMS_API_KEY_ENCRYPTION_KEY'],
      [env.WHATSAPP_ENCRYPTION_KEY!, 'WHATSAPP_ENCRYPTION_KEY'],
      [env.API_SECRET!, 'API_SECRET'],
    ]);
    const recorded = join(suiteDir(), 'secrets.jsonl');
    if (existsSync(recorded)) {
      for (const line of readFileSync(recorded, 'utf8').split('\n').filter(Boolean)) {
        for (const value of JSON.parse(line) as string[])
          secrets.set(
            value,
            value.startsWith('sms-key-') ? `an SMS key (${value.slice(-6)})` : 'a WhatsApp credential',
          );
      }
    }
    const haystacks = new Map<string, string>();
    for (const [key, value] of await dumpRedis(servers!.redisUrl)) haystacks.set(`redis ${key}`, `${key}\n${value}`);
    const logs = join(suiteDir(), 'logs');
    const logFiles = readdirSync(logs);
    for (const file of logFiles) haystacks.set(`log ${file}`, readFileSync(join(logs, file), 'utf8'));

    const found: string[] = [];
    for (const [where, text] of haystacks)
      for (const [value, name] of secrets) if (text.includes(value)) found.push(`${name} in ${where}`);
    const smsKeys = [...secrets.keys()].filter((k) => k.startsWith('sms-key-')).length;
    const row = report({
      scenario: 'secret scan (Redis + worker logs)',
      expected: secrets.size,
      lost: 0,
      duplicated: 0,
      creditsOver: 0,
      stuck: 0,
      uncertain: 0,
      requeueSeconds: null,
      recoverSeconds: null,
      notes:
        `${haystacks.size - logFiles.length} Redis keys, ${logFiles.length} logs, ` +
        `${smsKeys} SMS keys + env secrets + WhatsApp keys; found ${found.length}`,
    });
    expect(row.expected).toBeGreaterThan(3);
    expect(logFiles.length).toBeGreaterThan(0);
    expect(found.slice(0, 10)).toEqual([]);
  });
});
