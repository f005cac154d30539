"""Python's ftplib against a server, one scenario per run.

Usage: ftplib_interop.py SCENARIO HOST PORT [ARG...]
Logs in anonymously, runs the scenario, quits, and prints one JSON object
with what the scenario saw; the Node test checks it. Every reply is awaited
for at most 10 seconds, so a server that never answers makes this fail.
"""
import ftplib
import json
import socket
import sys

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


@scenario
def roundtrip(ftp, mode, upload_from, remote, download_to):
    """STOR then RETR of one file, in passive or active ("PORT") mode."""
    ftp.set_pasv(mode == "passive")
    with open(upload_from, "rb") as f:
        stor = ftp.storbinary(f"STOR {remote}", f)
    with open(download_to, "wb") as f:
        retr = ftp.retrbinary(f"RETR {remote}", f.write)
    return {"stor": stor, "retr": retr}


@scenario
def mlsd(ftp, path):
    return {"entries": [[name, facts] for name, facts in ftp.mlsd(path)]}


@scenario
def retr_from_offset(ftp, remote, offset, download_to):
    with open(download_to, "wb") as f:
        retr = ftp.retrbinary(f"RETR {remote}", f.write, rest=int(offset))
    return {"retr": retr}


@scenario
def storlines(ftp, upload_from, remote):
    """A TYPE A upload of a local text file, then a TYPE A download of its lines."""
    with open(upload_from, "rb") as f:
        stor = ftp.storlines(f"STOR {remote}", f)
    lines = []
    retr = ftp.retrlines(f"RETR {remote}", lines.append)
    return {"stor": stor, "retr": retr, "lines": lines}


@scenario
def ascii_bytes_on_the_wire(ftp, remote):
    """The raw bytes of a TYPE A download, which retrlines would hide by stripping line ends."""
    ftp.voidcmd("TYPE A")
    chunks = []
    with ftp.transfercmd(f"RETR {remote}") as conn:
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return {"wire": b"".join(chunks).decode("utf-8"), "retr": ftp.voidresp()}


@scenario
def abort_download(ftp, remote):
    """ABOR in the middle of a RETR: 426 for the transfer, then 226 for ABOR, then the session goes on."""
    ftp.voidcmd("TYPE I")
    conn = ftp.transfercmd(f"RETR {remote}")
    received = len(conn.recv(65536))
    # abort() sends "ABOR\r\n" with MSG_OOB: on Linux the last byte, "\n", is urgent data and never arrives inline.
    aborted = ftp.abort()
    conn.close()
    return {"received": received, "aborted": aborted, "abor": ftp.voidresp(), "noop": ftp.voidcmd("NOOP")}


@scenario
def stor_then_size(ftp, upload_from, remote):
    with open(upload_from, "rb") as f:
        stor = ftp.storbinary(f"STOR {remote}", f)
    ftp.voidcmd("TYPE I")
    return {"stor": stor, "size": ftp.size(remote)}


@scenario
def stou(ftp, upload_from, wanted):
    """STOU, by hand, since storbinary() hides the 150 reply that names the file stored."""
    ftp.voidcmd("TYPE I")
    with socket.create_connection(ftp.makepasv(), timeout=10) as conn:
        preliminary = ftp.sendcmd(f"STOU {wanted}")
        with open(upload_from, "rb") as f:
            conn.sendfile(f)
    return {"preliminary": preliminary, "stor": ftp.voidresp()}


@scenario
def size_in_ascii_mode(ftp, remote):
    ftp.voidcmd("TYPE A")
    try:
        return {"size": ftp.size(remote)}
    except ftplib.error_perm as e:
        return {"refused": str(e)}


def main():
    name, host, port, *args = sys.argv[1:]
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=10)
    ftp.login()
    out = SCENARIOS[name](ftp, *args)
    out["quit"] = ftp.quit()
    print(json.dumps(out))


main()
