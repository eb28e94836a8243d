"""Settings: defaults, the TOML file, environment overrides, and errors that say what is wrong."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CAMPAIGN_BOT_CONFIG", "CAMPAIGN_BOT_DATABASE_URL", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_documents_every_setting_with_its_default() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    # TOML has no null: settings whose default is "unset" appear commented out.
    defaults = Settings().model_dump(by_alias=True, exclude={"discord_token"}, exclude_none=True)
    assert example == defaults


def test_defaults_without_a_file() -> None:
    s = load_settings()
    assert s.database.url.startswith("sqlite+aiosqlite:///")
    assert s.metrics.currency == "USD"
    assert s.discord_token is None


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path, '[database]\nurl = "sqlite+aiosqlite:///a.db"\n[import]\nmax_rows = 10\n'
    )
    assert load_settings(path).database.url == "sqlite+aiosqlite:///a.db"
    assert load_settings(path).imports.max_rows == 10
    monkeypatch.setenv("CAMPAIGN_BOT_CONFIG", str(path))
    assert load_settings().imports.max_rows == 10
    monkeypatch.setenv("CAMPAIGN_BOT_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    assert load_settings().database.url == "postgresql+asyncpg://u@h/db"


def test_token_only_from_the_environment_and_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN environment variable"):
        load_settings(write(tmp_path, 'discord_token = "abc"\n'))
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    s = load_settings()
    assert s.discord_token is not None
    assert s.discord_token.get_secret_value() == "secret-token-value"
    assert "secret-token-value" not in repr(s) and "secret-token-value" not in str(s)
    assert "secret-token-value" not in str(s.model_dump())


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[import]\nmax_rows = -5\n", "import.max_rows = -5: expected greater than 0"),
        ('[metrics]\ncurrency = "dollars"\n', "metrics.currency = 'dollars': expected"),
        (
            "[metrics.tiers]\nmicro = 200000\n",
            "metrics.tiers = a table: expected tier bounds that increase",
        ),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ("[database]\nurll = 1\n", "database.urll: unknown setting"),
        ('log_level = "LOUD"\n', "log_level = 'LOUD'"),
        ("[import]\nmax_file_mb = 'big'\n", "import.max_file_mb = 'big': expected"),
    ],
)
def test_a_wrong_setting_names_key_value_and_expectation(
    tmp_path: Path, toml: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, toml))
    assert expected in str(info.value)
    assert str(tmp_path / "config.toml") in str(info.value)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[database\n"))
