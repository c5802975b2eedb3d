"""Domain and wire models shared by the client and the reference platform server.

One source of truth for the contract: the server encodes these structs; the client decodes answers leniently
(unknown fields ignored, so a newer server does not break it) and the server decodes request bodies strictly
(`requests.py`: unknown fields and out-of-bound values are a 422).

The cached entities (Order, Store, Menu, Courier, Delivery and every struct inside them) are stored in the device's
cache as this version's `msgspec.to_builtins` of them: a field added to any of them (or a field whose meaning or
shape changes) bumps `o2o_tui.sync.fetch.MODEL_VERSION`, so a cache an older version filled is fetched again whole.
"""
