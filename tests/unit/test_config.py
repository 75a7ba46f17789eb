import pytest

from localbot.config import SettingsError, load_settings, setting_help


def test_precedence_defaults_file_env_flags(tmp_path):
    config = tmp_path / "localbot.toml"
    config.write_text('max_tokens = 100\nmode = "kiosk"\nn_ctx = 3000\n')
    env = {"LOCALBOT_CONFIG": str(config), "LOCALBOT_N_CTX": "2500", "LOCALBOT_HOME": str(tmp_path)}
    settings = load_settings({"n_ctx": 1500}, env=env)
    assert settings.max_tokens == 100  # file beats default
    assert settings.mode == "kiosk"
    assert settings.n_ctx == 1500  # flag beats env beats file
    assert load_settings(env=env).n_ctx == 2500
    assert settings.database_path == tmp_path / "localbot.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"LOCALBOT_N_CTX": "lots"},
            "setting 'n_ctx' from environment must be a whole number, got 'lots'",
        ),
        ({"LOCALBOT_MODE": "party"}, "setting 'mode' must be one of staff, kiosk"),
        ({"LOCALBOT_REDACT": "maybe"}, "setting 'redact'"),
        ({"LOCALBOT_FLASH_ATTN": "fast"}, "setting 'flash_attn' must be one of auto, on, off"),
        ({"LOCALBOT_STORE": "  "}, "setting 'store' must name the store"),
        (
            {"LOCALBOT_KIOSK_IDLE_SECONDS": "5"},
            "setting 'kiosk_idle_seconds' must be at least 15, not 5",
        ),
    ],
)
def test_bad_values_name_the_setting(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env={"LOCALBOT_HOME": str(tmp_path), **env})


def test_unknown_key_in_file_lists_known_ones(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(SettingsError, match=r"unknown setting 'colour'.*known settings: "):
        load_settings(env={"LOCALBOT_CONFIG": str(config), "LOCALBOT_HOME": str(tmp_path)})


def test_every_setting_is_documented():
    assert all(text.strip() for text in setting_help().values())


def test_history_window_must_not_be_negative():
    assert load_settings(env={"LOCALBOT_HISTORY_TOKENS": "0"}).history_tokens == 0
    with pytest.raises(SettingsError, match="history_tokens"):
        load_settings(env={"LOCALBOT_HISTORY_TOKENS": "-1"})


def test_the_shortest_kiosk_idle_time_is_accepted():
    assert load_settings(env={"LOCALBOT_KIOSK_IDLE_SECONDS": "15"}).kiosk_idle_seconds == 15
