"""The first port from PORT on that HOST can bind: `make run` serves there and says so.

Another program on 8000 (an earlier `make run`, another project) would otherwise make runserver fail after
the whole set-up, or the script would announce an address that is not ours.
"""

from __future__ import annotations

import socket
import sys


def free_port(host: str, first: int, tries: int = 50) -> int:
    """The first of `tries` ports from `first` that `host` can bind now; `first` if none can."""
    for port in range(first, first + tries):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    return first


if __name__ == "__main__":
    print(free_port(sys.argv[1], int(sys.argv[2])))
