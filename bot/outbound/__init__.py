"""What the bot sends on its own: the rate limiter every Bot API call goes through, and the
campaign sender that performs the store's sending campaigns through it."""
