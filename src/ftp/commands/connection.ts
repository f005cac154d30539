/** Setting up data connections: PASV and EPSV (we listen), PORT and EPRT (we connect). */
import { isIPv6 } from 'node:net';
import { encodeEpsv, encodePasv, parseEprt, parseEpsvArg, parsePort, type HostPort } from '../protocol/dataAddress.js';
import { sameAddress } from '../../net/hosts.js';
import { Reply } from '../protocol/replies.js';
import type { PassiveChannel } from '../../net/PassiveListener.js';
import { ActiveChannel, openPassiveListener } from '../DataChannel.js';
import type { Session } from '../Session.js';

/** Below this, ports belong to privileged services: PORT there is an FTP bounce attempt. */
const LOWEST_ACTIVE_PORT = 1024;

export async function PASV(s: Session): Promise<void> {
  if (s.epsvAll) {
    s.reply(Reply.BadSequence, 'PASV not allowed after EPSV ALL');
    return;
  }
  const advertised = s.config.pasvAddress ?? s.localAddress;
  if (isIPv6(s.localAddress) && s.config.pasvAddress === null) {
    // A 227 reply can only carry an IPv4 address; inventing one would send the client elsewhere.
    s.reply(Reply.CantOpenDataConnection, 'PASV is IPv4 only; use EPSV');
    return;
  }
  const channel = await openPassive(s);
  const encoded = encodePasv(advertised, channel.port);
  if (encoded === null) {
    channel.close();
    s.reply(Reply.CantOpenDataConnection, 'PASV is IPv4 only; use EPSV');
    return;
  }
  s.setDataChannel(channel);
  s.reply(Reply.EnteringPassive, `Entering Passive Mode (${encoded})`);
}

export async function EPSV(s: Session, arg: string): Promise<void> {
  const mode = parseEpsvArg(arg);
  if (mode === null) {
    s.reply(Reply.SyntaxErrorInArguments, 'EPSV takes 1, 2 or ALL');
    return;
  }
  if (mode === 'all') {
    s.epsvAll = true;
    s.reply(Reply.Ok, 'EPSV ALL accepted');
    return;
  }
  if (mode !== 'any' && mode !== familyOf(s.localAddress)) {
    s.reply(Reply.NetworkProtocolNotSupported, `Network protocol not supported, use (${familyOf(s.localAddress)})`);
    return;
  }
  const channel = await openPassive(s);
  s.setDataChannel(channel);
  s.reply(Reply.EnteringExtendedPassive, `Entering Extended Passive Mode (${encodeEpsv(channel.port)})`);
}

export function PORT(s: Session, arg: string): void {
  if (s.epsvAll) {
    s.reply(Reply.BadSequence, 'PORT not allowed after EPSV ALL');
    return;
  }
  const target = parsePort(arg);
  if (!target) {
    s.reply(Reply.SyntaxErrorInArguments, 'Malformed PORT argument');
    return;
  }
  setActive(s, target, 'PORT');
}

export function EPRT(s: Session, arg: string): void {
  if (s.epsvAll) {
    s.reply(Reply.BadSequence, 'EPRT not allowed after EPSV ALL');
    return;
  }
  const target = parseEprt(arg);
  if (!target) {
    s.reply(Reply.SyntaxErrorInArguments, 'Malformed EPRT argument');
    return;
  }
  if (familyOf(target.host) !== familyOf(s.remoteAddress)) {
    s.reply(Reply.NetworkProtocolNotSupported, `Network protocol not supported, use (${familyOf(s.remoteAddress)})`);
    return;
  }
  setActive(s, target, 'EPRT');
}

/** The server connects only to the client's own address, and never to a privileged port: no FTP bounce. */
function setActive(s: Session, target: HostPort, verb: string): void {
  if (!sameAddress(target.host, s.remoteAddress)) {
    s.log.warn({ target: target.host }, `${verb} to a foreign address refused`);
    s.reply(Reply.SyntaxErrorInArguments, `${verb} must name your own address`);
    return;
  }
  if (target.port < LOWEST_ACTIVE_PORT) {
    s.reply(Reply.NotImplementedForParameter, `${verb} to a port below ${LOWEST_ACTIVE_PORT} refused`);
    return;
  }
  s.setDataChannel(new ActiveChannel(target.host, target.port, s.localAddress));
  s.reply(Reply.Ok, `${verb} command successful`);
}

/** The session's passive port, opened at its first PASV or EPSV and kept for the next ones. */
async function openPassive(s: Session): Promise<PassiveChannel> {
  const listener = await s.passiveListener(() =>
    openPassiveListener({
      host: s.localAddress,
      ports: s.config.pasvPorts,
      peer: s.remoteAddress,
      proxyFrom: s.config.proxyProtocolFrom,
      onForeignPeer: (address, reason) =>
        s.log.warn(
          { address, reason },
          reason ? 'passive data connection without a valid PROXY header dropped' : 'passive data connection from a foreign address dropped',
        ),
    }),
  );
  return listener.expect();
}

function familyOf(address: string): 1 | 2 {
  return isIPv6(address) ? 2 : 1;
}
