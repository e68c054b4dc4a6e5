"""The CRM domain: models and Telegram-free services."""
