import { describe, expect, it } from 'vitest';
import { JOB_IDS, JOB_OPTIONS, QUEUES } from './worker.config.js';
import { JOB_PAYLOADS } from './job-payloads.js';

describe('job ids', () => {
  const uuid = '2f1c7c3e-3b7e-4a8e-9d6f-0a1b2c3d4e5f';
  const ids = [
    JOB_IDS.dailyRun('2026-11-30'),
    JOB_IDS.hunt(uuid, uuid),
    JOB_IDS.manualHunt(uuid, '2026-11-30'),
    JOB_IDS.message(uuid),
    JOB_IDS.lobstrRun('c39b1922a5424c3c84a7cb2ec731bc5f'),
  ];

  it('are valid BullMQ custom ids: no ":" and never all digits', () => {
    for (const id of ids) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('are deterministic and distinct per input', () => {
    const run = '0b1c2d3e-4f50-4617-8899-aabbccddeeff';
    expect(JOB_IDS.hunt(run, uuid)).toBe(JOB_IDS.hunt(run, uuid));
    expect(JOB_IDS.hunt(run, uuid)).not.toBe(JOB_IDS.hunt(uuid, uuid));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuse inputs that would make an invalid id', () => {
    expect(() => JOB_IDS.message('a:b')).toThrow(/invalid job id/);
  });
});

describe('job options', () => {
  it('give every queue a bounded exponential retry with jitter', () => {
    for (const key of Object.keys(QUEUES) as (keyof typeof QUEUES)[]) {
      const options = JOB_OPTIONS[key];
      expect(options.attempts).toBeGreaterThan(1);
      expect(options.backoff.type).toBe('exponential');
      expect(options.backoff.jitter).toBeGreaterThan(0);
    }
  });
});

describe('job payloads', () => {
  it('take any id Postgres stores as a uuid, not only RFC 4122 ones', () => {
    const id = '11111111-1111-1111-1111-111111111111';
    expect(JOB_PAYLOADS.sendMessage.safeParse({ messageId: id }).success).toBe(true);
    expect(JOB_PAYLOADS.processHunt.safeParse({ huntId: id, localDate: '2026-11-30', dailyRunId: id }).success).toBe(
      true,
    );
  });
});
