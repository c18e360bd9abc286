/** Ports that are free right now: bound on port 0, read, released. */
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

/** A UDP port free on every one of `hosts` right now (bound on all, then released). */
export async function freeUdpPort(hosts: readonly string[] = ['127.0.0.1']): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const sockets: dgram.Socket[] = [];
    try {
      let port = 0;
      for (const host of hosts) {
        const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
        sockets.push(socket);
        socket.bind(port, host);
        await Promise.race([
          once(socket, 'listening'),
          once(socket, 'error').then(([e]) => {
            throw e;
          }),
        ]);
        port = socket.address().port;
      }
      return port;
    } catch {
      // That port was taken on another host; try again.
    } finally {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
  }
  throw new Error(`no UDP port free on all of ${hosts.join(', ')}`);
}

/** A TCP port free on `host` right now (listened on, then closed). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
