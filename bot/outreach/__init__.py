"""Outreach tools: posters that lead to the bot from a place, and the needs & gaps report."""
