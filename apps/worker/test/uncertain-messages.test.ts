// An operator lists the messages whose outcome is unknown and settles each: sent (credit
// consumed, lead written) or not sent (reservation released, the contact handed on to its next
// channel the same day). Settled once; the API says so after. An SMS the provider's sent log
// shows settles itself.
import { describe, expect, it } from 'vitest';
import { JOBS, localDateOf, ROUTES } from '@auto-prospect/core';
import { testEnv } from '@auto-prospect/testkit';
import type { WorkerContext } from '../src/context.js';
import { contact, credits, messageRow, seedAccount, seedAd, seedTemplate, settled } from './support/seed.js';
import { useSmsDealers } from './support/sms-dealers.js';

const dealers = useSmsDealers();
const auth = { authorization: `Bearer ${testEnv().API_SECRET!}` };

/** A message a send left uncertain: still holding its credit, as a cut-off call leaves it. */
async function uncertainMessage(
  context: WorkerContext,
  input: { accountId: string; phone: string; channel: 'sms' | 'ringless_voice'; huntId?: string; templateId?: string },
) {
  const adId = await seedAd(context.sql, input.phone);
  const localDate = localDateOf(new Date(), context.env.OUTREACH_TIMEZONE);
  const [row] = await context.sql<{ id: string }[]>`
    insert into messages (account_id, ad_id, hunt_id, template_id, channel, content, recipient_phone, local_date,
                          status, credit_state, error_code)
    values (${input.accountId}, ${adId}, ${input.huntId ?? null}, ${input.templateId ?? null}, ${input.channel},
            'Bonjour !', ${input.phone}, ${localDate}, 'uncertain', 'reserved', 'INTERRUPTED_DURING_SEND')
    returning id`;
  const reserved = input.channel === 'sms' ? 'sms_reserved' : 'ringless_voice_reserved';
  await context.sql`
    update credit_balances set ${context.sql(reserved)} = ${context.sql(reserved)} + 1
    where account_id = ${input.accountId}`;
  return row!.id;
}

const resolve = (context: WorkerContext, id: string, outcome: string) =>
  context.app.inject({
    method: 'POST',
    url: ROUTES.messageResolve.replace(':messageId', id),
    headers: auth,
    payload: { outcome },
  });

describe('uncertain messages', () => {
  it('are listed, and settled as sent: credit consumed, lead written; only once', async () => {
    const world = await dealers.world();
    await world.context.start();
    const account = await seedAccount(world.context, { smsCredits: 5 });
    const id = await uncertainMessage(world.context, { accountId: account.id, phone: '+33611000701', channel: 'sms' });

    const list = await world.context.app.inject({
      method: 'GET',
      url: `${ROUTES.messages}?status=uncertain`,
      headers: auth,
    });
    expect(list.json<{ messages: { id: string; errorCode: string }[] }>().messages).toEqual([
      expect.objectContaining({ id, errorCode: 'INTERRUPTED_DURING_SEND' }),
    ]);

    const settledAsSent = await resolve(world.context, id, 'sent');
    expect(settledAsSent.json()).toEqual({ messageId: id, status: 'sent', handedOverTo: null });
    expect(await messageRow(world.context.sql, id)).toMatchObject({ status: 'sent', credit_state: 'consumed' });
    expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 4, sms_reserved: 0 });
    const [lead] = await world.context.sql`select stage from leads where account_id = ${account.id}`;
    expect(lead).toEqual({ stage: 'contacted' });

    expect((await resolve(world.context, id, 'not_sent')).json()).toMatchObject({ error: 'NOT_UNCERTAIN' });
    expect((await resolve(world.context, '00000000-0000-4000-8000-000000000000', 'sent')).statusCode).toBe(404);
    expect((await resolve(world.context, id, 'maybe')).statusCode).toBe(400);
  });

  it('settled as not sent: reservation released and the contact sent on its next channel the same day', async () => {
    const world = await dealers.world();
    await world.context.start();
    const account = await seedAccount(world.context, { smsCredits: 5, voiceCredits: 5 });
    dealers.sms.keys.set(account.smsKey!, 'valid');
    const voiceTemplate = await seedTemplate(world.context.sql, account.id, 'ringless_voice', 'audio-1');
    const smsTemplate = await seedTemplate(world.context.sql, account.id, 'sms');
    const [hunt] = await world.context.sql<{ id: string }[]>`
      insert into hunts (account_id, name, daily_pacing_limit, outreach_settings, template_ids)
      values (${account.id}, 'hunt', 10, ${world.context.sql.json({ ringlessVoice: true, sms: true })},
              ${world.context.sql.json({ ringlessVoice: voiceTemplate, sms: smsTemplate })})
      returning id`;
    const id = await uncertainMessage(world.context, {
      accountId: account.id,
      phone: '+33611000702',
      channel: 'ringless_voice',
      huntId: hunt!.id,
      templateId: voiceTemplate,
    });

    const response = await resolve(world.context, id, 'not_sent');
    expect(response.json()).toMatchObject({ messageId: id, status: 'failed', handedOverTo: { channel: 'sms' } });
    expect(await messageRow(world.context.sql, id)).toMatchObject({
      status: 'failed',
      error_code: 'OPERATOR_NOT_SENT',
      credit_state: 'released',
    });
    const next = response.json<{ handedOverTo: { messageId: string } }>().handedOverTo.messageId;
    expect(await settled(world.context.sql, next)).toMatchObject({ status: 'sent' });
    expect(await credits(world.context.sql, account.id)).toMatchObject({
      sms: 4,
      sms_reserved: 0,
      ringless_voice: 5,
      ringless_voice_reserved: 0,
    });
  });

  it(
    'are settled from the SMS sent log when the phone sent them, whatever other accounts hold; ' +
      'the others wait for an operator',
    { timeout: 30_000 },
    async () => {
      const world = await dealers.world({ PROVIDER_TIMEOUT_MS: '1000' });
      await world.context.start();
      const account = await seedAccount(world.context, { smsCredits: 5 });
      dealers.sms.keys.set(account.smsKey!, 'valid');
      // The phone sends it but the answer never comes: the send times out and turns uncertain.
      dealers.sms.modes.acceptThenHang = true;
      const sentByPhone = await contact(world.context, {
        accountId: account.id,
        phone: '+33611000801',
        channel: 'sms',
      });
      expect(await settled(world.context.sql, sentByPhone)).toMatchObject({
        status: 'uncertain',
        error_code: 'SMS_NO_ANSWER',
      });
      // Never reached the phone: nothing in the log.
      dealers.sms.modes.acceptThenHang = false;
      dealers.sms.modes.hang = true;
      const neverSent = await contact(world.context, { accountId: account.id, phone: '+33611000802', channel: 'sms' });
      expect(await settled(world.context.sql, neverSent)).toMatchObject({
        status: 'uncertain',
        error_code: 'SMS_NO_ANSWER',
      });
      dealers.sms.modes.hang = false;
      // Another account's pile of newer sends it cannot settle does not crowd this account out.
      const flooded = await seedAccount(world.context);
      dealers.sms.keys.set(flooded.smsKey!, 'valid');
      await world.context.sql`
        with ad as (
          insert into ads (original_ad_id, phone_number, has_phone)
          select 'flood-' || n, '+336119' || lpad(n::text, 5, '0'), true from generate_series(1, 210) n
          returning id, phone_number)
        insert into messages (account_id, ad_id, channel, recipient_phone, status, credit_state, claimed_at)
        select ${flooded.id}, id, 'sms', phone_number, 'uncertain', 'reserved', now() + interval '1 minute' from ad`;

      const sweep = await world.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});
      await expect.poll(() => sweep.getState(), { timeout: 10_000 }).toBe('completed');
      const guid = dealers.sms.sent.find((m) => m.recipients === '+33611000801')!.guid;
      expect(await messageRow(world.context.sql, sentByPhone)).toMatchObject({
        status: 'sent',
        external_id: guid,
        credit_state: 'consumed',
      });
      expect(await messageRow(world.context.sql, neverSent)).toMatchObject({
        status: 'uncertain',
        credit_state: 'reserved',
      });
      expect(await credits(world.context.sql, account.id)).toMatchObject({ sms: 4, sms_reserved: 1 });
      expect(dealers.sms.sent.filter((m) => m.recipients.startsWith('+3361100080'))).toHaveLength(1);
    },
  );

  it('are looked up in several phones’ sent logs at once: a phone that never answers holds back no other', async () => {
    const timeoutMs = 5_000;
    const world = await dealers.world({ PROVIDER_TIMEOUT_MS: String(timeoutMs) });
    await world.context.start();
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const account = await seedAccount(world.context);
      dealers.sms.keys.set(account.smsKey!, 'hanging');
      keys.push(account.smsKey!);
      const id = await uncertainMessage(world.context, {
        accountId: account.id,
        phone: `+3361100090${i}`,
        channel: 'sms',
      });
      await world.context.sql`update messages set claimed_at = now() where id = ${id}`;
    }
    await world.context.queues.maintenance.add(JOBS.sweepPendingMessages, {});
    const askedLogs = () =>
      keys.filter((key) => dealers.sms.requestsWithKey(key).some((r) => r.path === '/log/sent/sms/')).length;
    // One after the other, the third phone would be asked only once the first two had timed out.
    await expect.poll(askedLogs, { timeout: timeoutMs - 1_000 }).toBe(3);
  });
});
