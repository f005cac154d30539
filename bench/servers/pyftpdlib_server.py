"""pyftpdlib for the side-by-side benchmark: one account, passive ports, room for many clients.

Started by bench/servers/pyftpdlib.ts as
  /usr/bin/python3 pyftpdlib_server.py HOST USER HOME PASV_LOW PASV_HIGH MAX_CONS BACKLOG
with the password in BENCH_FTP_PASSWORD (kept off the command line). Prints
"pyftpdlib VERSION on Python VERSION listening on PORT" once it accepts connections.
"""
import logging
import os
import sys

import pyftpdlib
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    host, user, home, pasv_low, pasv_high, max_cons, backlog = sys.argv[1:8]
    # Warnings only, like the other servers: one log line per command would cost every server alike but is not the point.
    logging.basicConfig(level=logging.WARNING)
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, os.environ['BENCH_FTP_PASSWORD'], home, perm='elradfmwMT')
    handler = FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = range(int(pasv_low), int(pasv_high) + 1)
    # The listen backlog defaults to 100; the benchmark's 200 clients arrive at once.
    server = FTPServer((host, 0), handler, backlog=int(backlog))
    server.max_cons = int(max_cons)
    server.max_cons_per_ip = int(max_cons)
    python = '.'.join(map(str, sys.version_info[:3]))
    print(f'pyftpdlib {pyftpdlib.__ver__} on Python {python} listening on {server.address[1]}', flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == '__main__':
    main()
