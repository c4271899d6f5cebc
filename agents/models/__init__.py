"""Model tiers and providers: ChatOpenAI for real models, the offline stand-in without a key."""

from agents.models.tiers import ModelConfig, ModelTiers, build_tiers

__all__ = ["ModelConfig", "ModelTiers", "build_tiers"]
