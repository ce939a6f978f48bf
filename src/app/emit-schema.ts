import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAppSchema, printAppSchema } from './schema';

/** Writes schema.graphql at the repository root from the resolvers. */
async function main(): Promise<void> {
  const file = resolve(__dirname, '../../../schema.graphql');
  writeFileSync(file, printAppSchema(await buildAppSchema()));
  console.log(`wrote ${file}`);
}

void main();
