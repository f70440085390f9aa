// Baileys auth state kept in whatsapp_sessions.credentials, the web app's format: a JSON string
// {"creds": enc, "keys": enc}, each part AES-256-GCM encrypted JSON serialised with BufferJSON
// (plain JSON would corrupt the Buffers inside keys). Written back on every creds or keys update,
// in order, and durable before Baileys is told the write is done.
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import { decryptSecret, encryptSecret } from '../crypto/secret-box.js';
import type { Sql } from '../db/client.js';

type KeyStore = { [T in keyof SignalDataTypeMap]?: Record<string, SignalDataTypeMap[T]> };

export interface DatabaseAuthState {
  state: AuthenticationState;
  /** Persists the current creds (Baileys mutates them in place before `creds.update`). */
  saveCreds(): Promise<void>;
  /** Forgets creds and keys (logged out): the account must be linked again. */
  clear(): Promise<void>;
}

const serialize = (value: unknown, key: string) => encryptSecret(JSON.stringify(value, BufferJSON.replacer), key);
const deserialize = <T>(stored: string, key: string): T =>
  JSON.parse(decryptSecret(stored, key), BufferJSON.reviver) as T;

export async function loadDatabaseAuthState(
  sql: Sql,
  accountId: string,
  encryptionKey: string,
): Promise<DatabaseAuthState> {
  const [row] = await sql<
    { credentials: string | null }[]
  >`select credentials from whatsapp_sessions where account_id = ${accountId}`;
  const stored = row?.credentials ? (JSON.parse(row.credentials) as { creds: string; keys: string }) : null;
  const creds: AuthenticationCreds = stored ? deserialize(stored.creds, encryptionKey) : initAuthCreds();
  const keys: KeyStore = stored ? deserialize(stored.keys, encryptionKey) : {};

  let writes: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    const credentials = JSON.stringify({
      creds: serialize(creds, encryptionKey),
      keys: serialize(keys, encryptionKey),
    });
    writes = writes.then(async () => {
      await sql`
        insert into whatsapp_sessions (account_id, credentials, updated_at) values (${accountId}, ${credentials}, now())
        on conflict (account_id) do update set credentials = excluded.credentials, updated_at = now()`;
    });
    return writes;
  };

  return {
    state: {
      creds,
      keys: {
        get(type, ids) {
          const values = (keys[type] ?? {}) as Record<string, unknown>;
          const found: Record<string, unknown> = {};
          for (const id of ids) {
            let value = values[id];
            // Baileys expects this one as a proto object, not the plain JSON it was saved as.
            if (value !== undefined && type === 'app-state-sync-key')
              value = proto.Message.AppStateSyncKeyData.create(value as object);
            if (value !== undefined) found[id] = value;
          }
          return found as { [id: string]: SignalDataTypeMap[typeof type] };
        },
        async set(data) {
          for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
            const bucket = ((keys as Record<string, Record<string, unknown>>)[type] ??= {});
            for (const [id, value] of Object.entries(data[type] ?? {})) {
              if (value === null || value === undefined) delete bucket[id];
              else bucket[id] = value;
            }
          }
          await persist();
        },
      },
    },
    saveCreds: persist,
    async clear() {
      await writes;
      await sql`update whatsapp_sessions set credentials = null, updated_at = now() where account_id = ${accountId}`;
    },
  };
}
