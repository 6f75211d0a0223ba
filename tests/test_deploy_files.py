"""deploy/ is what a county installs (issue #18): the environment template names every variable the code
reads, the proxy example sets the headers the settings trust, and the systemd units and the deploy script
are well-formed (checked with systemd-analyze and bash, as the county's machines would read them)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
READ = re.compile(r"""(?:os\.environ\.get|os\.environ\[|env_bool)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read_by_the_code() -> set[str]:
    sources = [*(ROOT / "config").rglob("*.py"), *(ROOT / "daiban").rglob("*.py")]
    names: set[str] = set()
    for path in sources:
        if "tests" in path.parts:
            continue
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names


def template_variables() -> dict[str, str]:
    lines = (DEPLOY / "daiban.env.example").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {pair[0]: pair[1] for pair in pairs}


def test_the_environment_template_names_every_variable_the_code_reads():
    read = variables_read_by_the_code()
    assert {"DATABASE_URL", "DAIBAN_S3_BUCKET", "DJANGO_SECURE_HSTS_PRELOAD"} <= read  # the scan finds them
    assert sorted(read - set(template_variables())) == []


def test_the_proxy_sets_the_client_address_the_settings_read():
    nginx = (DEPLOY / "nginx" / "daiban.conf").read_text(encoding="utf-8")
    assert template_variables()["DAIBAN_CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    proxied = re.findall(r"location[^{]*\{([^}]*proxy_pass[^}]*)\}", nginx)
    assert proxied
    for block in proxied:  # every proxied location overwrites both headers
        assert "proxy_set_header X-Real-IP $remote_addr;" in block
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in block
    size = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert size and int(size.group(1)) >= 20  # at least one document of the largest size
    assert "listen 443 ssl;" in nginx and "return 301 https://" in nginx


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_are_valid(tmp_path):
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} >= {"daiban-web.service", "daiban-worker.service", "daiban-backup.timer"}
    for unit in units:  # the programs exist only on a county's machine: stand them in
        text = unit.read_text(encoding="utf-8")
        text = re.sub(r"/opt/daiban/current/\.venv/bin/\w+", "/bin/true", text)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_the_deploy_script_parses_and_refuses_a_wrong_role(tmp_path):
    script = DEPLOY / "deploy.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0  # noqa: S603, S607
    result = subprocess.run(  # noqa: S603
        ["bash", str(script), str(tmp_path), "gateway"],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2 and "role must be web or worker" in result.stderr
