/** The vsftpd configuration the tests' and the benchmark's vsftpd runs share: one local user, loopback only. */
export interface VsftpdSettings {
  readonly port: number;
  readonly passivePorts: readonly [number, number];
  /** An empty directory vsftpd's pre-login process can reach but not write to. */
  readonly emptyDir: string;
  /** For bursts of clients; vsftpd's defaults are unlimited unless set. */
  readonly maxClients?: number;
}

export function vsftpdConfigText(s: VsftpdSettings): string {
  const settings: Record<string, string | number> = {
    listen: 'YES',
    background: 'NO',
    listen_address: '127.0.0.1',
    listen_port: s.port,
    local_enable: 'YES',
    write_enable: 'YES',
    anonymous_enable: 'NO',
    pasv_min_port: s.passivePorts[0],
    pasv_max_port: s.passivePorts[1],
    ...(s.maxClients === undefined ? {} : { max_clients: s.maxClients, max_per_ip: s.maxClients }),
    // Containers often refuse vsftpd's seccomp filter and its new PID and network namespaces.
    seccomp_sandbox: 'NO',
    isolate: 'NO',
    isolate_network: 'NO',
    // No chroot: PWD answers the real path of the user's home.
    chroot_local_user: 'NO',
    secure_chroot_dir: s.emptyDir,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}
