import { once } from 'node:events';
import * as net from 'node:net';

/** A port nothing listens on right now, found by letting the system pick one (for servers that cannot listen on 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const probe = net.createServer().listen(0, host);
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}
