"""Baton's settings: typed, validated, from ``BATON_*`` variables, ``.env`` or arguments."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.models.tiers import ModelConfig
from persistence.database import POSTGRES_URL, Database, PostgresDatabase, SqliteDatabase


class Settings(BaseSettings):
    """Everything configurable; defaults run the offline sample world under ``./.baton``."""

    model_config = SettingsConfigDict(
        env_prefix="BATON_", env_file=".env", extra="ignore", validate_default=True
    )

    home: Path = Field(default=Path(".baton"), description="Where Baton keeps its databases.")
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://... keeps checkpoints in PostgreSQL; unset: SQLite under home.",
    )
    database_pool_max: int = Field(default=10, ge=1, le=1000)
    database_conn_lifetime_s: float = Field(default=1800.0, gt=0)
    fast_model: str = "gpt-4o-mini"
    strong_model: str = "gpt-4o"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "BATON_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "BATON_OPENAI_BASE_URL")
    )
    model_timeout_s: float = Field(default=60.0, gt=0)
    fast_context_tokens: int = Field(
        default=16_000, ge=512, le=10_000_000, description="The fast tier's context window."
    )
    strong_context_tokens: int = Field(
        default=16_000, ge=512, le=10_000_000, description="The strong tier's context window."
    )
    smtp_url: str | None = Field(default=None, pattern=r"^smtps?://[^/\s:]+(:\d+)?/?$")
    durability: Literal["sync", "async", "exit"] = "sync"
    recursion_limit: int = Field(default=100, ge=10, le=10_000)
    max_concurrency: int = Field(default=8, ge=1, le=1000)
    max_model_calls: int = Field(default=60, ge=1)
    max_tool_calls: int = Field(default=40, ge=1)
    max_tokens: int = Field(default=400_000, ge=1)
    max_plan_steps: int = Field(default=8, ge=1, le=50)
    max_plan_iterations: int = Field(default=3, ge=1, le=20)
    max_review_revisions: int = Field(default=2, ge=0, le=10)
    structured_retries: int = Field(default=2, ge=0, le=10)
    auto_approve_refunds_upto: Decimal | None = Field(
        default=None, ge=0, description="Refunds up to this amount need no human (off: None)."
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, url: SecretStr | None) -> SecretStr | None:
        if (
            url is not None
            and url.get_secret_value()
            and not POSTGRES_URL.match(url.get_secret_value())
        ):
            raise ValueError("must start with postgresql:// (or postgres://)")
        return url if url is not None and url.get_secret_value() else None

    @property
    def database(self) -> Database:
        """Where checkpoints live: PostgreSQL when ``database_url`` is set, else ``db_path``."""
        if self.database_url is None:
            return SqliteDatabase(self.db_path)
        return PostgresDatabase(
            self.database_url.get_secret_value(),
            max_size=self.database_pool_max,
            max_lifetime_s=self.database_conn_lifetime_s,
        )

    @property
    def db_path(self) -> Path:
        """Checkpoints, effect ledger, budgets and trace events."""
        return self.home / "baton.db"

    def model_config_for_agents(self) -> ModelConfig:
        """The part of the settings the model tiers need."""
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else None
        return ModelConfig(
            fast_model=self.fast_model,
            strong_model=self.strong_model,
            api_key=key or None,
            base_url=self.openai_base_url,
            timeout_s=self.model_timeout_s,
            fast_context_tokens=self.fast_context_tokens,
            strong_context_tokens=self.strong_context_tokens,
        )
