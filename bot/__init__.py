"""campaign-bot: plan TikTok influencer campaigns where the team already talks."""

from bot.cpu import avoid_slow_avx512_sort

__version__ = "0.1.0"

avoid_slow_avx512_sort()  # before anything imports numpy: see bot/cpu.py
