"""campaign-bot: plan TikTok influencer campaigns where the team already talks."""

__version__ = "0.1.0"
