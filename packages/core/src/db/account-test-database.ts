// For tests of the ledger's statements: a database of the test's own with one dealer account.
import { createTestDatabase, type TestDatabase } from '@auto-prospect/testkit';
import { createDatabase, type Sql } from './client.js';

export interface AccountTestDatabase {
  db: TestDatabase;
  sql: Sql;
  accountId: string;
}

export async function createAccountTestDatabase(connections: number): Promise<AccountTestDatabase> {
  const db = await createTestDatabase();
  const sql = createDatabase(db.url, { max: connections });
  const [account] = await sql<
    { id: string }[]
  >`insert into accounts (email) values ('dealer@example.com') returning id`;
  return { db, sql, accountId: account!.id };
}
