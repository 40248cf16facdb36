"""Network access from the kernel."""

from . import AFFINE_IF_FOUND, FOUND_NONE, Attack, Context, hostile


def connect(ctx: Context) -> str:
    return f'''
import socket
FOUND = []
for address in [("1.1.1.1", 80), ("8.8.8.8", 53), ("127.0.0.1", {ctx.port}), ("localhost", {ctx.port})]:
    try:
        socket.create_connection(address, timeout=2).close()
        FOUND.append(address)
    except OSError as err:
        print(address, err)
try:
    s = socket.socket(socket.AF_UNIX)
    s.connect("\\0{ctx.unix_name}")
    FOUND.append("abstract unix socket")
except OSError as err:
    print("unix", err)
try:
    FOUND.append(socket.getaddrinfo("pypi.org", 443))
except OSError as err:
    print("dns", err)
''' + AFFINE_IF_FOUND


ATTACKS = [
    Attack("network", "connects to 1.1.1.1:80, 8.8.8.8:53, a TCP port and an abstract Unix socket the host "
           "listens on at 127.0.0.1, and resolves pypi.org",
           "sandbox: own network namespace (only a loopback with nothing listening)",
           hostile("affine", connect), zero=frozenset({"test_affine"}), proof=(FOUND_NONE,)),
]
