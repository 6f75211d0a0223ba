"""`make run` serves on the port it announces: the next free one when PORT is taken (scripts/free_port.py)."""

import socket
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "free_port.py"


def ask(port: int) -> int:
    answer = subprocess.run(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, str(SCRIPT), "127.0.0.1", str(port)], capture_output=True, text=True, check=True
    )
    return int(answer.stdout)


def test_a_taken_port_gives_the_next_free_one_and_a_free_port_itself() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        chosen = ask(port)
        assert chosen != port and port < chosen < port + 50
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", chosen))  # really free
    assert ask(port) == port  # released: the port asked for


def test_run_dev_announces_the_port_it_serves() -> None:
    script = (SCRIPT.parent / "run-dev.sh").read_text()
    assert 'runserver "$HOST:$FREE"' in script and 'echo "Open http://$HOST:$FREE/' in script
