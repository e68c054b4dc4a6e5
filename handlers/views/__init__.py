"""Telegram rendering of crm results: HTML with every user-typed value escaped."""
