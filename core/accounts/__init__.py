"""The portal's accounts: login throttling behind a proxy, password change and reset limits, invitations."""
