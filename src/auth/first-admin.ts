import type { DataSource } from 'typeorm';
import { inTransaction } from '../db/transaction';
import { hashPassword } from './passwords';
import { User } from './user.entity';

/** On an empty database (no accounts at all), creates `admin` with the given password; otherwise does nothing. */
export async function createFirstAdmin(ds: DataSource, password: string): Promise<boolean> {
  const hash = await hashPassword(password);
  return inTransaction(ds, async (m) => {
    if ((await m.getRepository(User).count()) > 0) return false;
    await m.getRepository(User).insert({ username: 'admin', displayName: '系统管理员', passwordHash: hash, roles: ['admin'], regionId: null });
    return true;
  });
}
