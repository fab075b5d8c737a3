"""OAuth token refresh shared by every provider: the lock, the token store, the refresher.

Each provider's token endpoint (its request and its answer) lives in its own folder
(``providers/<crm>/oauth.py``); what they share lives here.
"""
