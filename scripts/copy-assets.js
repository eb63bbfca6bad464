// Copies what tsc does not: the numbered SQL migrations next to the compiled store (migrate.ts
// looks for them there) and the dashboard's static files next to the compiled server.
import { cpSync } from 'node:fs';

for (const backend of ['sqlite', 'postgres']) {
  cpSync(`src/store/${backend}/migrations`, `dist/store/${backend}/migrations`, {
    recursive: true,
  });
}
cpSync('src/server/dashboard', 'dist/server/dashboard', { recursive: true });
