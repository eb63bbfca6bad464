// Copies the numbered SQL migrations next to the compiled store, where migrate.ts looks for them.
import { cpSync } from 'node:fs';

for (const backend of ['sqlite', 'postgres']) {
  cpSync(`src/store/${backend}/migrations`, `dist/store/${backend}/migrations`, {
    recursive: true,
  });
}
