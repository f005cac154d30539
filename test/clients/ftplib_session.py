"""Python's ftplib, an independent client, driven through a full session.

Usage: ftplib_session.py HOST PORT UPLOAD_FROM DOWNLOAD_TO
Prints one JSON object with what each step saw; the Node test checks it.
"""
import ftplib
import json
import sys

host, port, upload_from, download_to = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}
ftp = ftplib.FTP()
out["welcome"] = ftp.connect(host, port, timeout=60)
out["login"] = ftp.login()  # anonymous
out["pwd"] = ftp.pwd()
out["mkd"] = ftp.mkd("py dir")
out["cwd"] = ftp.cwd("py dir")
with open(upload_from, "rb") as f:
    out["stor"] = ftp.storbinary("STOR big.bin", f, blocksize=1024 * 1024)
ftp.voidcmd("TYPE I")
out["size"] = ftp.size("big.bin")
with open(download_to, "wb") as f:
    out["retr"] = ftp.retrbinary("RETR big.bin", f.write, blocksize=1024 * 1024)
out["nlst"] = ftp.nlst()
out["mlsd"] = [[name, facts.get("type"), facts.get("size")] for name, facts in ftp.mlsd()]
lines = []
out["list"] = ftp.retrlines("LIST", lines.append)
out["list_lines"] = lines
out["rename"] = ftp.rename("big.bin", "renamed.bin")
out["delete"] = ftp.delete("renamed.bin")
try:
    ftp.delete("renamed.bin")
    out["delete_again"] = "no error"
except ftplib.error_perm as e:
    out["delete_again"] = str(e)
out["cdup"] = ftp.sendcmd("CDUP")
out["rmd"] = ftp.rmd("py dir")
out["quit"] = ftp.quit()
print(json.dumps(out))
