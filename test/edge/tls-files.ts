import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, '../../deploy/local/tls.sh');

export interface TestCa {
  caFile: string;
  /** A certificate for localhost / 127.0.0.1 signed by this CA (chain + key files). */
  issue(name: string): { certFile: string; keyFile: string };
}

/** A private CA in `dir`, made by deploy/local/tls.sh (openssl), as the local Kafka's is. */
export function testCa(dir: string): TestCa {
  execFileSync('bash', [script, 'ca', dir]);
  return {
    caFile: join(dir, 'ca.pem'),
    issue(name) {
      execFileSync('bash', [script, 'issue', dir, dir, name]);
      return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
    },
  };
}
