"""Domain and wire models shared by the client and the reference platform server.

One source of truth for the contract: the server encodes these structs; the client decodes answers leniently
(unknown fields ignored, so a newer server does not break it) and the server decodes request bodies strictly
(`requests.py`: unknown fields and out-of-bound values are a 422).
"""
