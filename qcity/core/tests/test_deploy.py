import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QCITY_", "DEBUG", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-only-3f9a7c1e",
            "ALLOWED_HOSTS": "quality.example.gov.cn",
            "QCITY_VAR_DIR": str(tmp_path),
            "DEBUG": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "qcity.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QCITY_", "DEBUG", "SECRET_KEY", "DJANGO_"))
    }
    env["QCITY_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "qcity.cli", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
