"""Telegram HTML for crm's results: each module renders one area's data, user text escaped."""
