// Imported first by the wire scripts: only the settings given to a client count, never a developer's ~/.aws files or
// AWS_* variables. The SDK is imported after this module has run (dynamic import), since it reads them when loaded.

import { devNull } from "node:os";

process.env.AWS_CONFIG_FILE = devNull;
process.env.AWS_SHARED_CREDENTIALS_FILE = devNull;
for (const name of Object.keys(process.env).filter((n) => n.startsWith("AWS_") && !n.endsWith("_FILE"))) {
  delete process.env[name];
}
