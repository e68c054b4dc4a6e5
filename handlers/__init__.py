"""Thin Telegram adapters: unpack the update, authorise, call a crm service, reply."""
