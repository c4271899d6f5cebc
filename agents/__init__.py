"""Who thinks: model tiers, the router, the planner, the workers, validated outputs."""
